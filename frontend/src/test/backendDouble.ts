// A small real HTTP + WebSocket server on loopback standing in for the backend in component
// tests: the components' real fetch, XMLHttpRequest and WebSocket calls go over the network to
// it (the end-to-end tests use the real backend). Every request is recorded.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export interface Reply {
  status: number;
  json?: unknown;
  /** Destroy the connection without an answer (a network error). */
  hangUp?: boolean;
}

type Handler = (request: Recorded) => Reply | Promise<Reply>;
type SocketHandler = (socket: WebSocket, path: string, query: URLSearchParams) => void;

export class BackendDouble {
  readonly requests: Recorded[] = [];
  private readonly routes = new Map<string, Handler>();
  private socketHandler: SocketHandler | null = null;
  private server: Server | null = null;
  private sockets: WebSocketServer | null = null;
  url = "";

  /** Answer `METHOD /path` (the path without its query string). */
  on(method: string, path: string, handler: Handler | Reply): this {
    this.routes.set(`${method} ${path}`, typeof handler === "function" ? handler : () => handler);
    return this;
  }

  onSocket(handler: SocketHandler): this {
    this.socketHandler = handler;
    return this;
  }

  calls(method: string, path: string): Recorded[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.sockets = new WebSocketServer({ server: this.server });
    this.sockets.on("connection", (socket, req) => {
      const url = new URL(req.url ?? "/", "http://double");
      this.socketHandler?.(socket, url.pathname, url.searchParams);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.sockets?.clients ?? []) client.terminate();
    this.sockets?.close();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // jsdom enforces CORS (the page's origin is not the double's): allow everything.
    res.setHeader("Access-Control-Allow-Origin", "*");
    if (req.method === "OPTIONS") {
      res.setHeader("Access-Control-Allow-Headers", "authorization, content-type, accept");
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE");
      res.writeHead(204).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://double");
    const recorded: Recorded = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    this.requests.push(recorded);
    const handler = this.routes.get(`${recorded.method} ${recorded.path}`);
    const reply = handler ? await handler(recorded) : { status: 404, json: { detail: "not found" } };
    if (reply.hangUp) {
      req.socket.destroy();
      return;
    }
    if (reply.json === undefined) {
      res.writeHead(reply.status).end();
      return;
    }
    res.writeHead(reply.status, { "Content-Type": "application/json" }).end(JSON.stringify(reply.json));
  }
}

export function moment(index: number): {
  id: string;
  image_url: string;
  thumbnail_url: string;
  content_type: string;
  size: number;
  created_at: string;
} {
  const id = `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`;
  return {
    id,
    image_url: `/storage/uploads/${id}.jpg?expires=1&signature=ab`,
    thumbnail_url: `/storage/thumbnails/${id}.jpg?expires=1&signature=ab`,
    content_type: "image/jpeg",
    size: 1000 + index,
    created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, 0) - index * 60_000).toISOString(),
  };
}
