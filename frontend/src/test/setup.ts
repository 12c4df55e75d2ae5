import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { WebSocket as NodeWebSocket } from "ws";

// jsdom's WebSocket (undici's) throws on dispatching jsdom events under Vitest; the `ws` client
// has the same browser API (addEventListener, MessageEvent.data, CloseEvent.code) over a real socket.
(globalThis as { WebSocket: unknown }).WebSocket = NodeWebSocket;

afterEach(() => {
  cleanup();
  sessionStorage.clear();
  window.history.replaceState(null, "", "/");
});
