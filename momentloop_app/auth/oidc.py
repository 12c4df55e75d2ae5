"""Google sign-in: the OpenID Connect authorization code flow with PKCE, by authlib.

``start`` sends the browser to the provider with a fresh ``state``, ``nonce`` and PKCE challenge,
remembered in :mod:`~momentloop_app.auth.login_states` together with a hash of a random cookie set
on that browser. ``finish`` takes the state back (once), checks the cookie, exchanges the code with
the PKCE verifier and the client secret, and verifies the ID token: signature by the issuer's
published keys, ``iss``, ``aud`` (our client id), ``exp``/``iat`` (with a small leeway), ``nonce``.
The provider's ``sub`` becomes our user id (:func:`~momentloop_app.auth.identity.oidc_user_id`).

Any failure is a :class:`SignInFailed` with a short reason the browser may see; details go to the log.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.integrations.base_client import OAuthError
from joserfc.errors import JoseError

from momentloop_app.auth.identity import oidc_user_id
from momentloop_app.auth.login_states import LoginStates, PendingLogin, digest
from momentloop_app.core.settings.sign_in import GOOGLE_ISSUER, SignInSettings

with warnings.catch_warnings():
    # authlib 1.9 warns, once at import, that it uses httpx rather than the newer httpx2; httpx is
    # our client (authlib is pinned below 2.0, where that changes). Kept off stderr: start-up
    # errors must stay one sentence.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth

log = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 10.0
# Google's ID tokens may carry the issuer without its scheme.
_ISSUER_ALIASES = {GOOGLE_ISSUER: ["accounts.google.com"]}


class SignInFailed(Exception):
    """Sign-in did not complete; ``reason`` is a short token for ``/#auth_error=<reason>``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@dataclass(frozen=True)
class LoginStart:
    url: str  # the provider's authorization URL
    browser_key: str  # to set as a cookie on the browser that goes there


class OidcSignIn:
    def __init__(
        self, settings: SignInSettings, states: LoginStates, *, client_kwargs: dict[str, Any] | None = None
    ) -> None:
        if not settings.google_client_id or not settings.google_client_secret:
            raise ValueError("OpenID Connect sign-in needs GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET")
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.google_client_id
        self._states = states
        self._leeway = settings.oidc_leeway_seconds
        self._login_timeout = settings.oidc_login_timeout_seconds
        # Discovery and the signing keys are fetched on first use and cached (keys again on an unknown kid).
        self._client: Any = OAuth().register(
            name="oidc",
            client_id=settings.google_client_id,
            client_secret=settings.google_client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "timeout": HTTP_TIMEOUT_SECONDS,
                **(client_kwargs or {}),
            },
        )

    async def start(self, *, redirect_uri: str, next_path: str) -> LoginStart:
        metadata = await self._metadata()
        state = secrets.token_urlsafe(32)
        browser_key = secrets.token_urlsafe(32)
        try:
            started = await self._client.create_authorization_url(redirect_uri, state=state)
        except (RuntimeError, httpx.HTTPError) as error:
            raise SignInFailed("provider_unavailable", f"no authorization URL: {error}") from error
        login = PendingLogin(
            browser_hash=digest(browser_key),
            code_verifier=started["code_verifier"],
            nonce=started["nonce"],
            redirect_uri=redirect_uri,
            next_path=next_path,
        )
        await self._states.put(state, login, self._login_timeout)
        log.info("sign-in started at %s", metadata.get("authorization_endpoint"))
        return LoginStart(url=started["url"], browser_key=browser_key)

    async def finish(
        self, *, state: str | None, code: str | None, error: str | None, browser_key: str | None
    ) -> tuple[str, str]:
        """Our user id and the path to return to, for the provider's redirect back to us."""
        login = await self._states.take(state) if state else None  # gone now: a state works once
        if error:  # nothing is issued on an error, so it is reported whatever the state
            raise SignInFailed("denied" if error == "access_denied" else "provider", f"the provider said {error!r}")
        if login is None:
            raise SignInFailed("state", "missing, unknown, already used or expired state")
        if not browser_key or not hmac.compare_digest(digest(browser_key), login.browser_hash):
            raise SignInFailed("state", "the callback reached a browser that did not start this sign-in")
        if not code:
            raise SignInFailed("provider", "the callback has no code")
        try:
            token = await self._client.fetch_access_token(
                redirect_uri=login.redirect_uri, code=code, code_verifier=login.code_verifier
            )
        except (OAuthError, httpx.HTTPError, ValueError) as failure:
            raise SignInFailed("token", f"the code exchange failed: {failure}") from failure
        claims = await self.verify_id_token(token, nonce=login.nonce)
        return oidc_user_id(self.issuer, str(claims["sub"])), login.next_path

    async def verify_id_token(self, token: dict[str, Any], *, nonce: str) -> dict[str, Any]:
        """The claims of ``token["id_token"]`` once signature, issuer, audience, times and nonce check out."""
        if not isinstance(token.get("id_token"), str):
            raise SignInFailed("id_token", "the token response has no ID token")
        await self._metadata()
        options = {
            "iss": {"essential": True, "values": [self.issuer, *_ISSUER_ALIASES.get(self.issuer, [])]},
            "aud": {"essential": True, "value": self.client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "iat": {"essential": True},
            "nonce": {"essential": True, "value": nonce},
        }
        try:
            claims = await self._client.parse_id_token(token, nonce=nonce, claims_options=options, leeway=self._leeway)
        except (JoseError, ValueError, KeyError, TypeError) as failure:
            raise SignInFailed("id_token", f"the ID token was refused: {failure!r}") from failure
        except httpx.HTTPError as failure:
            raise SignInFailed("provider_unavailable", f"the signing keys could not be fetched: {failure}") from failure
        if claims is None or not claims.get("sub"):
            raise SignInFailed("id_token", "the ID token has no subject")
        return dict(claims)

    async def _metadata(self) -> dict[str, Any]:
        try:
            metadata: dict[str, Any] = await self._client.load_server_metadata()
        except (httpx.HTTPError, ValueError) as error:
            raise SignInFailed("provider_unavailable", f"discovery failed: {error}") from error
        # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
        if str(metadata.get("issuer", "")).rstrip("/") != self.issuer:
            raise SignInFailed("provider", f"discovery names issuer {metadata.get('issuer')!r}, not {self.issuer!r}")
        return metadata
