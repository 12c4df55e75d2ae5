// The session token lives in sessionStorage: it ends with the tab, and is not sent to the server
// on its own (API calls add it as a Bearer header; the WebSocket passes it as ?token=).

const TOKEN_KEY = "momentloop.token";
const NAME_KEY = "momentloop.name";

export interface Session {
  token: string;
  name: string;
}

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  return { token, name: sessionStorage.getItem(NAME_KEY) ?? "" };
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(TOKEN_KEY, session.token);
  sessionStorage.setItem(NAME_KEY, session.name);
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(NAME_KEY);
}

export interface FragmentResult {
  token?: string;
  authError?: string;
}

/** Reads `#token=...` or `#auth_error=...` (where the sign-in callback redirects) and removes it
 * from the address bar, so the token is neither bookmarked nor left in the history. */
export function takeAuthFragment(): FragmentResult {
  const hash = window.location.hash.replace(/^#/, "");
  if (!hash) return {};
  const params = new URLSearchParams(hash);
  const token = params.get("token") ?? undefined;
  const authError = params.get("auth_error") ?? undefined;
  if (token === undefined && authError === undefined) return {};
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, "", pathname + search);
  return { token, authError };
}

/** The display name carried in the token (`name`, `email` or `sub` claim), for the header. */
export function nameFromToken(token: string): string {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as Record<string, unknown>;
    for (const key of ["name", "email", "sub"]) {
      const value = claims[key];
      if (typeof value === "string" && value) return value;
    }
  } catch {
    // Not a readable JWT: the header simply shows no name.
  }
  return "";
}

const AUTH_ERRORS: Record<string, string> = {
  access_denied: "Sign-in was cancelled.",
  state: "Sign-in expired or was started in another tab; please try again.",
  invalid_token: "The sign-in provider's answer could not be verified; please try again.",
};

export function describeAuthError(reason: string): string {
  return AUTH_ERRORS[reason] ?? `Sign-in failed (${reason}); please try again.`;
}
