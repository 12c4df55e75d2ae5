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

/** The display name carried in the token (`name` or `email` claim), for the header; "" when the
 * token carries neither (the user id in `sub` means nothing to a person). */
export function nameFromToken(token: string): string {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as Record<string, unknown>;
    for (const key of ["name", "email"]) {
      const value = claims[key];
      if (typeof value === "string" && value) return value;
    }
  } catch {
    // Not a readable JWT: the header simply shows no name.
  }
  return "";
}

// The reasons the backend's Google callback puts in `/#auth_error=<reason>`.
const AUTH_ERRORS: Record<string, string> = {
  denied: "Sign-in with Google was cancelled.",
  state: "Sign-in expired or was started in another tab or browser. Please try again.",
  id_token: "Google's answer could not be verified, so you were not signed in. Please try again.",
  token: "Google did not complete the sign-in. Please try again.",
  provider: "Google refused the sign-in request. Please try again later.",
  provider_unavailable: "Google could not be reached. Please try again in a moment.",
  not_configured: "Sign-in with Google is not configured on this server.",
  internal: "Sign-in failed because of a problem on our side. Please try again.",
};

export function describeAuthError(reason: string): string {
  return AUTH_ERRORS[reason] ?? "Sign-in did not complete. Please try again.";
}
