// Calls to the MomentLoop API (same origin: nginx proxies /api/, /storage/ and /ws/).

export interface Moment {
  id: string;
  image_url: string;
  thumbnail_url: string;
  content_type: string;
  size: number;
  created_at: string;
}

export interface MomentPage {
  items: Moment[];
  next_cursor: string | null;
}

export interface AuthConfig {
  google: boolean;
  dev_sign_in: boolean;
}

export interface DevSignIn {
  token: string;
  user_id: string;
  expires_in: number;
}

export interface ExportCreated {
  id: string;
  status: string;
}

export interface ExportState {
  id?: string;
  status: string;
  progress: number;
  video_url?: string | null;
  error?: string | null;
}

/** An HTTP error with a message a person can read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiOptions {
  /** Prefix of every URL: "" in the browser (same origin); a test server's origin in tests. */
  baseUrl?: string;
  token?: string;
  /** Called when the server answers 401: the session is over. */
  onUnauthorized?: () => void;
}

export class Api {
  readonly baseUrl: string;
  readonly token: string | undefined;
  private readonly onUnauthorized: (() => void) | undefined;

  constructor(options: ApiOptions = {}) {
    this.baseUrl = options.baseUrl ?? "";
    this.token = options.token;
    this.onUnauthorized = options.onUnauthorized;
  }

  url(path: string): string {
    return this.baseUrl + path;
  }

  /** The WebSocket URL of an export's progress events. */
  exportSocketUrl(id: string): string {
    const origin = this.baseUrl || window.location.origin;
    const ws = origin.replace(/^http/, "ws");
    return `${ws}/ws/exports/${encodeURIComponent(id)}?token=${encodeURIComponent(this.token ?? "")}`;
  }

  /** A media URL from the API (relative, signed) made loadable from this page. */
  mediaUrl(path: string): string {
    return /^[a-z]+:/i.test(path) ? path : this.baseUrl + path;
  }

  authHeaders(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url(path), {
        ...init,
        headers: { Accept: "application/json", ...this.authHeaders(), ...(init.headers ?? {}) },
      });
    } catch {
      throw new ApiError(0, "The server could not be reached. Check your connection and try again.");
    }
    if (response.status === 401) {
      this.onUnauthorized?.();
      throw new ApiError(401, "You have been signed out. Please sign in again.");
    }
    if (!response.ok) {
      throw new ApiError(response.status, await errorMessage(response));
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  authConfig(): Promise<AuthConfig> {
    return this.request<AuthConfig>("/api/auth/config");
  }

  devSignIn(name: string): Promise<DevSignIn> {
    return this.request<DevSignIn>("/api/auth/dev", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name }),
    });
  }

  listMoments(cursor: string | null, limit: number): Promise<MomentPage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set("cursor", cursor);
    return this.request<MomentPage>(`/api/moments?${query.toString()}`);
  }

  deleteMoment(id: string): Promise<void> {
    return this.request<void>(`/api/moments/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  createExport(momentIds: string[]): Promise<ExportCreated> {
    return this.request<ExportCreated>("/api/exports", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ moment_ids: momentIds }),
    });
  }

  getExport(id: string): Promise<ExportState> {
    return this.request<ExportState>(`/api/exports/${encodeURIComponent(id)}`);
  }
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: unknown };
    if (typeof body.detail === "string") return sentence(body.detail);
  } catch {
    // Not JSON (a proxy's error page): fall back to the status.
  }
  return `The server answered with an error (${response.status}). Please try again.`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
