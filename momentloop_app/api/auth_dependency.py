"""The FastAPI dependency that turns `Authorization: Bearer <JWT>` into the user id (or 401)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from momentloop_app.api.context import get_context
from momentloop_app.auth import InvalidTokenError


def current_user(request: Request) -> str:
    try:
        return get_context(request).verifier.from_authorization_header(request.headers.get("authorization"))
    except InvalidTokenError as exc:
        raise HTTPException(status_code=401, detail=str(exc), headers={"WWW-Authenticate": "Bearer"}) from exc


CurrentUser = Annotated[str, Depends(current_user)]
