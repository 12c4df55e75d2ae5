import { useCallback, useEffect, useRef, useState } from "react";
import type { Api, Moment } from "../api/client";

export const PAGE_SIZE = 24;

export interface MomentsFeed {
  moments: Moment[];
  loading: boolean;
  error: string;
  hasMore: boolean;
  loadMore: () => void;
  add: (moment: Moment) => void;
  remove: (id: string) => void;
}

/** The user's moments, newest first, one page at a time (cursor paging). */
export function useMoments(api: Api, pageSize = PAGE_SIZE): MomentsFeed {
  const [moments, setMoments] = useState<Moment[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState("");
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(true);
  const inFlight = useRef(false);

  const loadMore = useCallback(() => {
    if (inFlight.current || !hasMore) return;
    inFlight.current = true;
    setLoading(true);
    setError("");
    api
      .listMoments(cursor, pageSize)
      .then((page) => {
        setMoments((current) => {
          const known = new Set(current.map((m) => m.id));
          return [...current, ...page.items.filter((m) => !known.has(m.id))];
        });
        setCursor(page.next_cursor);
        setHasMore(page.next_cursor !== null);
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))
      .finally(() => {
        inFlight.current = false;
        setLoading(false);
      });
  }, [api, cursor, hasMore, pageSize]);

  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      loadMore();
    }
  }, [loadMore]);

  const add = useCallback((moment: Moment) => {
    setMoments((current) => (current.some((m) => m.id === moment.id) ? current : [moment, ...current]));
  }, []);

  const remove = useCallback((id: string) => {
    setMoments((current) => current.filter((m) => m.id !== id));
  }, []);

  return { moments, loading, error, hasMore, loadMore, add, remove };
}
