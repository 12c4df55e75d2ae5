import { type FormEvent, useEffect, useState } from "react";
import { type Api, type AuthConfig, ApiError } from "../api/client";

interface Props {
  api: Api;
  /** A message shown above the form (a failed Google sign-in, an ended session). */
  notice?: string;
  onSignedIn: (token: string, name: string) => void;
}

export function SignIn({ api, notice, onSignedIn }: Props) {
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [configError, setConfigError] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .authConfig()
      .then((value) => live && setConfig(value))
      .catch((err: unknown) => {
        if (live) setConfigError(err instanceof Error ? err.message : String(err));
      });
    return () => {
      live = false;
    };
  }, [api]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setError("Enter a name or an email address to sign in.");
      return;
    }
    setBusy(true);
    setError("");
    try {
      const result = await api.devSignIn(trimmed);
      onSignedIn(result.token, trimmed);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 404
          ? "Development sign-in is turned off on this server."
          : err instanceof Error
            ? err.message
            : String(err),
      );
      setBusy(false);
    }
  }

  return (
    <main className="signin" aria-labelledby="signin-title">
      <div className="card">
        <h1 id="signin-title">MomentLoop</h1>
        <p className="tagline">Your photos, looped into a video.</p>
        {notice && (
          <p className="notice" role="alert">
            {notice}
          </p>
        )}
        {!config && !configError && <p aria-live="polite">Loading sign-in options…</p>}
        {configError && (
          <p className="error" role="alert">
            Sign-in options could not be loaded: {configError}
          </p>
        )}
        {config?.google && (
          <a className="button primary google" href="/api/auth/google/login">
            Sign in with Google
          </a>
        )}
        {config && !config.google && (
          <p className="hint">Google sign-in is not configured on this server: development sign-in only.</p>
        )}
        {config?.dev_sign_in && (
          <form onSubmit={submit} noValidate aria-label="Development sign-in">
            <label htmlFor="dev-name">Name or email</label>
            <input
              id="dev-name"
              name="name"
              autoComplete="username"
              value={name}
              onChange={(event) => setName(event.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "dev-error" : undefined}
            />
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? "Signing in…" : "Sign in"}
            </button>
            <p id="dev-error" className="error" aria-live="assertive">
              {error}
            </p>
          </form>
        )}
      </div>
    </main>
  );
}
