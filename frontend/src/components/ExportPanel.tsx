import { useEffect, useRef, useState } from "react";
import type { Api, ExportState } from "../api/client";
import { type ExportWatch, watchExport } from "../api/exportEvents";

interface Props {
  api: Api;
  selected: string[];
  onClearSelection: () => void;
}

type Phase = "idle" | "starting" | "running" | "done" | "failed";

const STATUS_WORDS: Record<string, string> = {
  queued: "Waiting for a worker",
  running: "Rendering",
  done: "Done",
  failed: "Failed",
};

/** Export the selected moments as a video: live progress over the WebSocket, then the video. */
export function ExportPanel({ api, selected, onClearSelection }: Props) {
  const [phase, setPhase] = useState<Phase>("idle");
  const [state, setState] = useState<ExportState | null>(null);
  const [error, setError] = useState("");
  const watch = useRef<ExportWatch | null>(null);
  const result = useRef<HTMLHeadingElement>(null);

  useEffect(() => () => watch.current?.close(), []);
  useEffect(() => {
    if (phase === "done") result.current?.focus();
  }, [phase]);

  function apply(next: ExportState) {
    setState(next);
    if (next.status === "done") setPhase("done");
    else if (next.status === "failed") {
      setPhase("failed");
      setError(next.error ? `The export failed: ${next.error}` : "The export failed.");
    }
  }

  async function start() {
    watch.current?.close();
    setPhase("starting");
    setState(null);
    setError("");
    try {
      const created = await api.createExport(selected);
      setPhase("running");
      setState({ status: created.status, progress: 0 });
      watch.current = watchExport(api.exportSocketUrl(created.id), {
        onEvent: apply,
        onLost: (code) => {
          if (code === 4401) {
            setPhase("failed");
            setError("You have been signed out. Sign in again to follow the export.");
            return;
          }
          // The connection dropped: ask once for the current state.
          api
            .getExport(created.id)
            .then((current) => {
              apply(current);
              if (current.status !== "done" && current.status !== "failed") {
                setPhase("failed");
                setError("Lost the connection to the export's progress. Reload the page to check on it.");
              }
            })
            .catch((err: unknown) => {
              setPhase("failed");
              setError(err instanceof Error ? err.message : String(err));
            });
        },
      });
    } catch (err) {
      setPhase("failed");
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const busy = phase === "starting" || phase === "running";
  const progress = state?.progress ?? 0;
  const videoUrl = state?.video_url ? api.mediaUrl(state.video_url) : "";

  return (
    <section aria-labelledby="export-title" className="export">
      <h2 id="export-title">Export a video</h2>
      <p className="hint">
        {selected.length === 0
          ? "Select moments in the grid, in the order they should appear."
          : `${selected.length} ${selected.length === 1 ? "moment" : "moments"} selected.`}
      </p>
      <div className="row">
        <button type="button" className="button primary" onClick={start} disabled={busy || selected.length === 0}>
          {busy ? "Exporting…" : "Export video"}
        </button>
        <button type="button" className="button" onClick={onClearSelection} disabled={selected.length === 0}>
          Clear selection
        </button>
      </div>
      {(phase === "running" || phase === "done") && (
        <div className="progress-row">
          <progress max={100} value={progress} aria-label="Export progress" />
          <span data-testid="export-percent">{progress}%</span>
        </div>
      )}
      <p aria-live="polite" className="status" data-testid="export-status">
        {phase === "starting" && "Starting the export…"}
        {phase === "running" && `${STATUS_WORDS[state?.status ?? ""] ?? state?.status}: ${progress}%`}
        {phase === "done" && "Your video is ready."}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {phase === "done" && videoUrl && (
        <div className="result">
          <h3 ref={result} tabIndex={-1}>
            Your video
          </h3>
          <video controls src={videoUrl} preload="metadata" aria-label="Exported video" />
          <a className="button" href={videoUrl} download="momentloop.mp4">
            Download video
          </a>
        </div>
      )}
    </section>
  );
}
