"""`momentloop-token <user-id>`: mint a session token for local development (secret from `JWT_SECRET`)."""

from __future__ import annotations

import argparse
import os
import sys

from momentloop_app.auth.tokens import DEFAULT_TTL_SECONDS, mint_token


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
