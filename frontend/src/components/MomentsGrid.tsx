import { useEffect, useRef } from "react";
import type { Api, Moment } from "../api/client";
import type { MomentsFeed } from "./useMoments";

interface Props {
  api: Api;
  feed: MomentsFeed;
  selected: string[];
  onToggle: (id: string) => void;
  onDelete: (moment: Moment) => void;
}

function uploadedAt(moment: Moment): string {
  const when = new Date(moment.created_at);
  return Number.isNaN(when.getTime()) ? "" : when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function describeMoment(moment: Moment): string {
  const when = uploadedAt(moment);
  return when ? `The moment uploaded ${when}` : "This moment";
}

/** The thumbnails; the next page loads when the end of the grid scrolls into view. */
export function MomentsGrid({ api, feed, selected, onToggle, onDelete }: Props) {
  const sentinel = useRef<HTMLDivElement>(null);
  const { loadMore, hasMore, loading } = feed;

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasMore || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) loadMore();
      },
      { rootMargin: "400px 0px" },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [loadMore, hasMore, loading]);

  return (
    <section aria-labelledby="moments-title" className="moments">
      <h2 id="moments-title">Your moments</h2>
      {feed.moments.length === 0 && !feed.loading && !feed.error && (
        <p className="empty">No moments yet. Upload a few images to get started.</p>
      )}
      <ul className="grid" aria-busy={feed.loading}>
        {feed.moments.map((moment, index) => {
          // Position first: moments uploaded in the same minute must still be told apart.
          const when = uploadedAt(moment);
          const label = `moment ${index + 1} of ${feed.moments.length}${when ? `, uploaded ${when}` : ""}`;
          const checked = selected.includes(moment.id);
          const position = selected.indexOf(moment.id) + 1;
          return (
            <li key={moment.id} className={checked ? "tile selected" : "tile"} data-testid="moment">
              <label className="pick">
                <input
                  type="checkbox"
                  checked={checked}
                  onChange={() => onToggle(moment.id)}
                  aria-label={`Select ${label}`}
                />
                <img src={api.mediaUrl(moment.thumbnail_url)} alt={`Moment ${index + 1}`} loading="lazy" decoding="async" />
                {checked && (
                  <span className="badge" aria-hidden="true">
                    {position}
                  </span>
                )}
              </label>
              <button
                type="button"
                className="delete"
                onClick={() => onDelete(moment)}
                aria-label={`Delete ${label}`}
                title="Delete"
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
      <div ref={sentinel} className="sentinel" aria-hidden="true" />
      <div aria-live="polite" className="status">
        {feed.loading && <p>Loading moments…</p>}
        {feed.error && <p className="error">{feed.error}</p>}
      </div>
      {feed.hasMore && !feed.loading && feed.moments.length > 0 && (
        <button type="button" className="button" onClick={feed.loadMore}>
          Load more moments
        </button>
      )}
    </section>
  );
}
