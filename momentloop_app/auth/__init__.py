"""Who is calling: session tokens, sign-in (development and OpenID Connect) and signed media links.

`momentloop-token` is `momentloop_app.auth:main`.
"""

from momentloop_app.auth.token_command import main
from momentloop_app.auth.tokens import ALGORITHM, DEFAULT_TTL_SECONDS, InvalidTokenError, TokenVerifier, mint_token

__all__ = ["ALGORITHM", "DEFAULT_TTL_SECONDS", "InvalidTokenError", "TokenVerifier", "main", "mint_token"]
