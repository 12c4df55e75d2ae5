"""Bearer JWTs: HS256 signed with `JWT_SECRET`, the user id in `sub`.

Google sign-in comes later; until then `momentloop-token <user-id>` mints a token for local
development (the secret is read from `JWT_SECRET`).
"""

from __future__ import annotations

import argparse
import os
import sys
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


def mint_token(
    user_id: str, secret: str, *, ttl_seconds: int = DEFAULT_TTL_SECONDS, now: float | None = None
) -> str:
    if not user_id:
        raise ValueError("user_id must not be empty")
    issued = int(now if now is not None else time.time())
    claims = {"sub": user_id, "iat": issued, "exp": issued + ttl_seconds}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="momentloop-token",
        description="Mint a development JWT for a user id (signed with JWT_SECRET).",
    )
    parser.add_argument("user_id")
    parser.add_argument("--ttl", type=int, default=DEFAULT_TTL_SECONDS, help="lifetime in seconds")
    args = parser.parse_args(argv)
    secret = os.environ.get("JWT_SECRET", "")
    if not secret:
        print("momentloop-token: JWT_SECRET is not set: export the secret the backend uses", file=sys.stderr)
        return 2
    if args.ttl <= 0:
        print(f"momentloop-token: --ttl={args.ttl!r} must be a positive number of seconds", file=sys.stderr)
        return 2
    print(mint_token(args.user_id, secret, ttl_seconds=args.ttl))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
