"""What sign-in needs at run time: the session issuer and which ways in are open.

Google (OpenID Connect) when ``GOOGLE_CLIENT_ID`` is set; development sign-in (any name) otherwise.
Nothing is issued without ``JWT_SECRET``.
"""

from __future__ import annotations

from dataclasses import dataclass

from momentloop_app.auth.tokens import SessionIssuer
from momentloop_app.core.settings.sign_in import SignInSettings


@dataclass(frozen=True)
class SignIn:
    settings: SignInSettings
    sessions: SessionIssuer | None

    @classmethod
    def create(cls, settings: SignInSettings, *, jwt_secret: str) -> SignIn:
        sessions = SessionIssuer(jwt_secret, settings.session_ttl_seconds) if jwt_secret else None
        return cls(settings=settings, sessions=sessions)

    @property
    def google(self) -> bool:
        return self.sessions is not None and self.settings.google_enabled

    @property
    def dev_sign_in(self) -> bool:
        return self.sessions is not None and not self.settings.google_enabled
