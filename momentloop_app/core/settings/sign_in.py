"""Sign-in: the session tokens it issues, and Google (any OpenID Connect provider) as the way in.

`GOOGLE_CLIENT_ID` / `GOOGLE_CLIENT_SECRET` are the names the synthesizer gives the backend from
Key Vault. Without `GOOGLE_CLIENT_ID`, development sign-in (`POST /api/auth/dev`) is on instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, model_validator

from momentloop_app.core.settings.base import Section

GOOGLE_ISSUER = "https://accounts.google.com"


class SignInSettings(Section):
    # Lifetime of the session tokens sign-in issues (there is no refresh: sign in again after it).
    session_ttl_seconds: int = Field(default=8 * 3600, ge=60, le=30 * 24 * 3600)

    google_client_id: str | None = None
    google_client_secret: str | None = None
    # Any OpenID Connect provider with discovery (tests run one on loopback).
    oidc_issuer: str = GOOGLE_ISSUER
    # The callback URL registered with the provider; unset: this request's origin +
    # /api/auth/google/callback (right when the proxy in front forwards Host and scheme).
    oidc_redirect_url: str | None = None
    oidc_scopes: str = "openid email profile"
    # Clock skew allowed when checking the ID token's times.
    oidc_leeway_seconds: int = Field(default=60, ge=0, le=600)
    # How long a started sign-in may take before its state is refused.
    oidc_login_timeout_seconds: int = Field(default=600, ge=30, le=3600)

    @property
    def google_enabled(self) -> bool:
        return bool(self.google_client_id)

    @model_validator(mode="after")
    def _check_oidc(self) -> SignInSettings:
        if self.google_client_id and not self.google_client_secret:
            raise ValueError("GOOGLE_CLIENT_ID is set but GOOGLE_CLIENT_SECRET is not: Google sign-in needs both")
        for name, url in (("OIDC_ISSUER", self.oidc_issuer), ("OIDC_REDIRECT_URL", self.oidc_redirect_url)):
            if url is not None and not _https_or_loopback(url):
                raise ValueError(f"{name}={url!r} must be an https:// URL (http:// only on localhost or 127.0.0.1)")
        return self


def _https_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in {"localhost", "127.0.0.1", "::1"})
