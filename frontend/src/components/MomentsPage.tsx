import { useCallback, useState } from "react";
import type { Api, Moment } from "../api/client";
import { ConfirmDialog } from "./ConfirmDialog";
import { ExportPanel } from "./ExportPanel";
import { MomentsGrid, describeMoment } from "./MomentsGrid";
import { Uploader } from "./Uploader";
import { useMoments } from "./useMoments";

interface Props {
  api: Api;
  name: string;
  onSignOut: () => void;
  onUnauthorized: () => void;
  pageSize?: number;
}

export function MomentsPage({ api, name, onSignOut, onUnauthorized, pageSize }: Props) {
  const feed = useMoments(api, pageSize);
  const [selected, setSelected] = useState<string[]>([]);
  const [pending, setPending] = useState<Moment | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [notice, setNotice] = useState("");

  const toggle = useCallback((id: string) => {
    setSelected((current) => (current.includes(id) ? current.filter((x) => x !== id) : [...current, id]));
  }, []);

  async function confirmDelete() {
    if (!pending) return;
    setDeleting(true);
    try {
      await api.deleteMoment(pending.id);
      feed.remove(pending.id);
      setSelected((current) => current.filter((x) => x !== pending.id));
      setNotice(`${describeMoment(pending)} was deleted.`);
      setPending(null);
    } catch (err) {
      setNotice(err instanceof Error ? err.message : String(err));
      setPending(null);
    } finally {
      setDeleting(false);
    }
  }

  return (
    <>
      <header className="topbar">
        <span className="brand">MomentLoop</span>
        <span className="who">{name && <>Signed in as {name}</>}</span>
        <button type="button" className="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main className="page">
        <p className="visually-hidden" aria-live="polite">
          {notice}
        </p>
        <div className="side">
          <Uploader api={api} onUploaded={feed.add} onUnauthorized={onUnauthorized} />
          <ExportPanel api={api} selected={selected} onClearSelection={() => setSelected([])} />
        </div>
        <MomentsGrid api={api} feed={feed} selected={selected} onToggle={toggle} onDelete={setPending} />
      </main>
      {pending && (
        <ConfirmDialog
          title="Delete this moment?"
          confirmLabel="Delete"
          busy={deleting}
          onConfirm={confirmDelete}
          onCancel={() => setPending(null)}
        >
          <img className="dialog-thumb" src={api.mediaUrl(pending.thumbnail_url)} alt="" />
          <p>{describeMoment(pending)} will be removed for good, with its image and thumbnail.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
