"""Our session tokens: HS256 JWTs signed with `JWT_SECRET`, our user id in `sub`.

Sign-in (development or Google) and `momentloop-token` mint them; every API call presents one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 3600


class InvalidTokenError(Exception):
    """Missing, expired, badly signed or malformed token; the message is safe to show."""


@dataclass(frozen=True)
class TokenVerifier:
    secret: str
    leeway_seconds: int = 0

    def user_id(self, token: str) -> str:
        """The `sub` of a valid token; `InvalidTokenError` otherwise."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                options={"require": ["sub", "exp"]},
                leeway=self.leeway_seconds,
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidTokenError("the token has expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidTokenError("the token is not valid") from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidTokenError("the token has no user id in 'sub'")
        return subject

    def from_authorization_header(self, header: str | None) -> str:
        if not header:
            raise InvalidTokenError("missing 'Authorization: Bearer <token>' header")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidTokenError("the Authorization header must be 'Bearer <token>'")
        return self.user_id(token.strip())


def mint_token(user_id: str, secret: str, *, ttl_seconds: int = DEFAULT_TTL_SECONDS, now: float | None = None) -> str:
    if not user_id:
        raise ValueError("user_id must not be empty")
    issued = int(now if now is not None else time.time())
    claims = {"sub": user_id, "iat": issued, "exp": issued + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@dataclass(frozen=True)
class IssuedSession:
    token: str
    user_id: str
    expires_in: int


@dataclass(frozen=True)
class SessionIssuer:
    """Mints the session tokens sign-in hands out."""

    secret: str
    ttl_seconds: int = DEFAULT_TTL_SECONDS

    def issue(self, user_id: str) -> IssuedSession:
        return IssuedSession(mint_token(user_id, self.secret, ttl_seconds=self.ttl_seconds), user_id, self.ttl_seconds)
