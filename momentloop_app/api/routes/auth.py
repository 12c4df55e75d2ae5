"""`/api/auth`: which sign-in is open, and development sign-in.

``POST /api/auth/dev`` is open only while Google sign-in is not configured (``GOOGLE_CLIENT_ID``
unset): it signs anyone in under any name, which is what local development needs.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, StringConstraints

from momentloop_app.auth.identity import dev_user_id
from momentloop_app.auth.sign_in import SignIn

router = APIRouter(prefix="/api/auth", tags=["auth"])


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
