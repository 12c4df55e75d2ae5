import { type DragEvent, useState } from "react";
import type { Api, Moment } from "../api/client";
import { UploadError, uploadMoment } from "../api/upload";

interface Item {
  key: number;
  name: string;
  progress: number;
  state: "uploading" | "done" | "failed";
  error: string;
}

interface Props {
  api: Api;
  onUploaded: (moment: Moment) => void;
  onUnauthorized: () => void;
}

let nextKey = 0;

/** Upload by file picker or drag-and-drop; every file has its own progress bar and error. */
export function Uploader({ api, onUploaded, onUnauthorized }: Props) {
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);

  function update(key: number, change: Partial<Item>) {
    setItems((current) => current.map((item) => (item.key === key ? { ...item, ...change } : item)));
  }

  function start(files: FileList | File[]) {
    const list = Array.from(files);
    if (list.length === 0) return;
    const added = list.map((file) => ({ file, item: newItem(file.name) }));
    setItems((current) => [...added.map((a) => a.item), ...current.filter((i) => i.state !== "done")]);
    for (const { file, item } of added) {
      const { promise } = uploadMoment(api.url("/api/moments"), api.token, file, {
        onProgress: (fraction) => update(item.key, { progress: Math.round(fraction * 100) }),
        onUnauthorized,
      });
      promise
        .then((moment) => {
          update(item.key, { state: "done", progress: 100 });
          onUploaded(moment);
        })
        .catch((err: unknown) => {
          const message = err instanceof UploadError || err instanceof Error ? err.message : String(err);
          update(item.key, { state: "failed", error: message });
        });
    }
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    start(event.dataTransfer.files);
  }

  const active = items.filter((i) => i.state === "uploading").length;
  const failed = items.filter((i) => i.state === "failed").length;

  return (
    <section aria-labelledby="upload-title" className="upload">
      <h2 id="upload-title">Upload</h2>
      <div
        className={dragging ? "dropzone dragging" : "dropzone"}
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop images here, or</p>
        <input
          id="upload-input"
          className="visually-hidden"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          multiple
          onChange={(event) => {
            if (event.target.files) start(event.target.files);
            event.target.value = "";
          }}
        />
        <label className="button primary" htmlFor="upload-input">
          Choose images
        </label>
        <p className="hint">JPEG, PNG or WebP. Several at once is fine.</p>
      </div>
      <p className="visually-hidden" aria-live="polite">
        {active > 0 ? `Uploading ${active} ${active === 1 ? "file" : "files"}.` : ""}
        {failed > 0 ? ` ${failed} ${failed === 1 ? "upload" : "uploads"} failed.` : ""}
      </p>
      {items.length > 0 && (
        <ul className="uploads" aria-label="Uploads">
          {items.map((item) => (
            <li key={item.key} className={`upload-item ${item.state}`} data-testid="upload-item">
              <span className="name">{item.name}</span>
              {item.state !== "failed" && (
                <progress max={100} value={item.progress} aria-label={`Upload of ${item.name}`}>
                  {item.progress}%
                </progress>
              )}
              <span className="state">
                {item.state === "uploading" && `${item.progress}%`}
                {item.state === "done" && "Uploaded"}
              </span>
              {item.state === "failed" && (
                <p className="error" role="alert">
                  {item.error}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function newItem(name: string): Item {
  nextKey += 1;
  return { key: nextKey, name, progress: 0, state: "uploading", error: "" };
}
