// Follows an export's progress over the WebSocket /ws/exports/{id}?token=...
// The server sends the current state first, then each change, and closes after done/failed.

import type { ExportState } from "./client";

export interface ExportWatch {
  close: () => void;
}

export interface ExportWatchCallbacks {
  onEvent: (state: ExportState) => void;
  /** The socket closed before the export finished (code: the close code, 4401 signed out). */
  onLost: (code: number) => void;
}

export function watchExport(url: string, callbacks: ExportWatchCallbacks): ExportWatch {
  const socket = new WebSocket(url);
  let finished = false;
  let closedByUs = false;
  socket.addEventListener("message", (message: MessageEvent) => {
    let state: ExportState;
    try {
      state = JSON.parse(String(message.data)) as ExportState;
    } catch {
      return;
    }
    if (state.status === "done" || state.status === "failed") finished = true;
    callbacks.onEvent(state);
  });
  socket.addEventListener("close", (event: CloseEvent) => {
    if (!finished && !closedByUs) callbacks.onLost(event.code);
  });
  return {
    close: () => {
      closedByUs = true;
      socket.close();
    },
  };
}
