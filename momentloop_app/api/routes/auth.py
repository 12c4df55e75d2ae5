"""`/api/auth`: which sign-in is open, Google sign-in (OpenID Connect), and development sign-in.

``GET /api/auth/google/login?next=/path`` sends the browser to the provider;
``GET /api/auth/google/callback`` comes back from it and redirects to ``<next>#token=<jwt>``, or to
``/#auth_error=<reason>`` when anything is wrong (never an error page).

``POST /api/auth/dev`` is open only while Google sign-in is not configured (``GOOGLE_CLIENT_ID``
unset): it signs anyone in under any name, which is what local development needs.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, cast
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, StringConstraints

from momentloop_app.auth.identity import dev_user_id
from momentloop_app.auth.oidc import SignInFailed
from momentloop_app.auth.redirects import safe_next_path
from momentloop_app.auth.sign_in import SignIn

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/auth", tags=["auth"])

# Binds a sign-in to the browser that started it (login CSRF); sent back only to the callback.
LOGIN_COOKIE = "momentloop_sign_in"
LOGIN_COOKIE_PATH = "/api/auth/google"
# The redirects carry a code or a token: never cached, never sent on as a referrer.
_PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class AuthConfig(BaseModel):
    google: bool
    dev_sign_in: bool


class DevSignInRequest(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)]


class SessionOut(BaseModel):
    token: str
    user_id: str
    expires_in: int


def get_sign_in(request: Request) -> SignIn:
    return cast(SignIn, request.app.state.sign_in)


@router.get("/config", response_model=AuthConfig)
async def auth_config(request: Request) -> AuthConfig:
    sign_in = get_sign_in(request)
    return AuthConfig(google=sign_in.google, dev_sign_in=sign_in.dev_sign_in)


@router.post("/dev", response_model=SessionOut)
async def dev_sign_in(request: Request, body: DevSignInRequest) -> SessionOut:
    sign_in = get_sign_in(request)
    if sign_in.sessions is None:
        raise HTTPException(status_code=503, detail="sign-in is off: JWT_SECRET is not set")
    if not sign_in.dev_sign_in:
        raise HTTPException(status_code=404, detail="development sign-in is off: Google sign-in is configured")
    issued = sign_in.sessions.issue(dev_user_id(body.name))
    return SessionOut(token=issued.token, user_id=issued.user_id, expires_in=issued.expires_in)


# A host name or a bracketed IPv6 address, with its port if any: what a proxy's X-Forwarded-Host
# may hold to be taken as the origin.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_FORWARDED_HOST = re.compile(rf"(?:(?:{_LABEL}\.)*{_LABEL}|\[[0-9A-Fa-f:.]+\])(?::\d{{1,5}})?")


def callback_url(request: Request) -> str:
    """The callback on the origin the browser used. Behind the frontend's nginx (in Azure, in the
    dev script) the backend sees its own host; nginx passes the browser's as X-Forwarded-Host, and
    its scheme as X-Forwarded-Proto, which uvicorn's proxy headers apply. OIDC_REDIRECT_URL, when
    set, wins over both; the provider accepts only the callbacks registered with it anyway."""
    url = request.url_for("google_callback")
    forwarded = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
    if forwarded and _FORWARDED_HOST.fullmatch(forwarded):
        url = url.replace(netloc=forwarded)
    return str(url)


@router.get("/google/login")
async def google_login(
    request: Request, next_path: Annotated[str | None, Query(alias="next")] = None
) -> RedirectResponse:
    sign_in = get_sign_in(request)
    if sign_in.oidc is None:
        return _failed("not_configured")
    redirect_uri = sign_in.settings.oidc_redirect_url or callback_url(request)
    try:
        started = await sign_in.oidc.start(redirect_uri=redirect_uri, next_path=safe_next_path(next_path))
    except SignInFailed as failure:
        log.warning("Google sign-in could not start: %s", failure)
        return _failed(failure.reason)
    except Exception:  # the browser gets a reason to show, never an error page; the log gets the traceback
        log.exception("Google sign-in could not start")
        return _failed("internal")
    response = RedirectResponse(started.url, status_code=302, headers=_PRIVATE_HEADERS)
    response.set_cookie(
        LOGIN_COOKIE,
        started.browser_key,
        max_age=sign_in.settings.oidc_login_timeout_seconds,
        path=LOGIN_COOKIE_PATH,
        secure=redirect_uri.startswith("https://"),
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back to us
    )
    return response


@router.get("/google/callback", name="google_callback")
async def google_callback(
    request: Request, code: str | None = None, state: str | None = None, error: str | None = None
) -> RedirectResponse:
    sign_in = get_sign_in(request)
    if sign_in.oidc is None or sign_in.sessions is None:
        return _failed("not_configured")
    try:
        user_id, next_path = await sign_in.oidc.finish(
            state=state, code=code, error=error, browser_key=request.cookies.get(LOGIN_COOKIE)
        )
    except SignInFailed as failure:
        log.warning("Google sign-in refused: %s", failure)
        return _failed(failure.reason)
    except Exception:
        log.exception("Google sign-in failed")
        return _failed("internal")
    issued = sign_in.sessions.issue(user_id)
    response = RedirectResponse(f"{next_path}#token={issued.token}", status_code=302, headers=_PRIVATE_HEADERS)
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_COOKIE_PATH)
    return response


def _failed(reason: str) -> RedirectResponse:
    response = RedirectResponse(f"/#auth_error={quote(reason)}", status_code=302, headers=_PRIVATE_HEADERS)
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_COOKIE_PATH)
    return response
