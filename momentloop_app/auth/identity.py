"""Our user ids: derived deterministically from who signed in, so the same person gets the same id
on every replica, with no users table.

A user id is a short prefix naming how the person signed in, then a SHA-256 digest: development
names (``dev-``) and OpenID Connect subjects (``oidc-``, of the issuer and ``sub`` together) can
never collide, and the id reveals neither.
"""

from __future__ import annotations

import hashlib

_DIGEST_CHARS = 32


def dev_user_id(name: str) -> str:
    """The user id of a development sign-in: case and surrounding blanks of ``name`` do not matter."""
    normalized = " ".join(name.split()).casefold()
    if not normalized:
        raise ValueError("a development sign-in needs a non-empty name")
    return "dev-" + _digest("dev", normalized)


def oidc_user_id(issuer: str, subject: str) -> str:
    """The user id of the OpenID Connect user ``subject`` of ``issuer`` (``sub`` is unique per issuer)."""
    if not issuer or not subject:
        raise ValueError("an OpenID Connect user id needs both the issuer and the subject")
    return "oidc-" + _digest("oidc", issuer.rstrip("/"), subject)


def _digest(*parts: str) -> str:
    # NUL cannot appear in a name, an issuer URL or a subject: the parts cannot run into each other.
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:_DIGEST_CHARS]
