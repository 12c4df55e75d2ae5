"""What sign-in needs at run time: the session issuer and which ways in are open.

Google (OpenID Connect) when ``GOOGLE_CLIENT_ID`` is set; development sign-in (any name) otherwise.
Nothing is issued without ``JWT_SECRET``. Sign-ins in progress are kept in PostgreSQL when a
database is configured (single use across replicas), else in the process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from momentloop_app.auth.login_states import DatabaseLoginStates, LoginStates, MemoryLoginStates
from momentloop_app.auth.oidc import OidcSignIn
from momentloop_app.auth.tokens import SessionIssuer
from momentloop_app.core.settings.sign_in import SignInSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignIn:
    settings: SignInSettings
    sessions: SessionIssuer | None
    oidc: OidcSignIn | None = None

    @classmethod
    def create(
        cls,
        settings: SignInSettings,
        *,
        jwt_secret: str,
        engine: Engine | None = None,
        oidc_client_kwargs: dict[str, Any] | None = None,
    ) -> SignIn:
        sessions = SessionIssuer(jwt_secret, settings.session_ttl_seconds) if jwt_secret else None
        oidc = None
        if sessions is not None and settings.google_enabled:
            states: LoginStates
            if engine is not None:
                states = DatabaseLoginStates(engine)
            else:
                log.warning("no database configured: sign-in states are kept in this process (one replica only)")
                states = MemoryLoginStates()
            oidc = OidcSignIn(settings, states, client_kwargs=oidc_client_kwargs)
        return cls(settings=settings, sessions=sessions, oidc=oidc)

    @property
    def google(self) -> bool:
        return self.oidc is not None

    @property
    def dev_sign_in(self) -> bool:
        return self.sessions is not None and not self.settings.google_enabled
