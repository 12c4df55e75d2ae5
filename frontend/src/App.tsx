import { useCallback, useMemo, useState } from "react";
import { Api } from "./api/client";
import {
  type Session,
  clearSession,
  describeAuthError,
  loadSession,
  nameFromToken,
  saveSession,
  takeAuthFragment,
} from "./api/session";
import { MomentsPage } from "./components/MomentsPage";
import { SignIn } from "./components/SignIn";

// What the header says after Google sign-in when the token names no one.
const GOOGLE_ACCOUNT = "your Google account";

interface Props {
  baseUrl?: string;
  pageSize?: number;
}

function initialState(): { session: Session | null; notice: string } {
  const fragment = takeAuthFragment();
  if (fragment.token) {
    const session = { token: fragment.token, name: nameFromToken(fragment.token) || GOOGLE_ACCOUNT };
    saveSession(session);
    return { session, notice: "" };
  }
  if (fragment.authError) return { session: null, notice: describeAuthError(fragment.authError) };
  return { session: loadSession(), notice: "" };
}

export function App({ baseUrl = "", pageSize }: Props) {
  const [initial] = useState(initialState);
  const [session, setSession] = useState<Session | null>(initial.session);
  const [notice, setNotice] = useState(initial.notice);

  const signOut = useCallback((message = "") => {
    clearSession();
    setSession(null);
    setNotice(message);
  }, []);
  const expired = useCallback(() => signOut("You have been signed out. Please sign in again."), [signOut]);

  const api = useMemo(
    () => new Api({ baseUrl, token: session?.token, onUnauthorized: expired }),
    [baseUrl, session?.token, expired],
  );

  if (!session) {
    return (
      <SignIn
        api={api}
        notice={notice}
        onSignedIn={(token, name) => {
          const next = { token, name };
          saveSession(next);
          setNotice("");
          setSession(next);
        }}
      />
    );
  }
  return (
    <MomentsPage
      key={session.token}
      api={api}
      name={session.name}
      onSignOut={() => signOut()}
      onUnauthorized={expired}
      pageSize={pageSize}
    />
  );
}
