"""Signed, expiring media links: what lets ``<img>`` and ``<video>`` load private files with no
``Authorization`` header.

A link is the storage URL plus ``?expires=<unix seconds>&signature=<hex>``, the signature being
HMAC-SHA256 over the storage path (``container/name``) and the expiry. Its key is derived from the
app's secret with HKDF under a purpose label, so a link signature can never stand in for a session
token (or the reverse), and the secret itself never keys anything but tokens.

Expiry times are rounded down to a step (a twelfth of the lifetime, at most five minutes), so the
same file listed twice within a step gets the same URL and the browser's cache keeps working.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PURPOSE = b"momentloop media links v1"
MAX_STEP_SECONDS = 300
# Expiry values longer than this are not a time we could have written (year 5138).
_MAX_EXPIRES_DIGITS = 11


def derive_key(secret: str) -> bytes:
    """The link-signing key for ``secret`` (HKDF-SHA256, purpose label as ``info``)."""
    if not secret:
        raise ValueError("media links need the app's secret (JWT_SECRET) to derive their key")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret.encode())


class MediaLinkSigner:
    def __init__(self, secret: str, ttl_seconds: int, *, clock: Callable[[], float] = time.time) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds={ttl_seconds!r} must be positive")
        self._key = derive_key(secret)
        self.ttl_seconds = ttl_seconds
        self._step = max(1, min(MAX_STEP_SECONDS, ttl_seconds // 12))
        self._clock = clock

    def signature(self, storage_path: str, expires: int) -> str:
        message = f"{expires}\n{storage_path}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def query(self, storage_path: str) -> str:
        """``expires=...&signature=...`` for ``storage_path``, valid for at least the lifetime
        less one step."""
        now = int(self._clock())
        expires = now - now % self._step + self.ttl_seconds
        return urlencode({"expires": expires, "signature": self.signature(storage_path, expires)})

    def sign_url(self, url: str, storage_path: str) -> str:
        """``url`` (the storage URL of ``storage_path``) with the signed query appended."""
        return f"{url}?{self.query(storage_path)}"

    def is_valid(self, storage_path: str, expires: str | None, signature: str | None) -> bool:
        """Whether ``signature`` was made by this app for ``storage_path`` and has not expired."""
        if not expires or not signature or not (expires + signature).isascii() or not expires.isdigit():
            return False
        if len(expires) > _MAX_EXPIRES_DIGITS or int(expires) < self._clock():
            return False
        # Constant time: timing tells nothing about how much of a guess was right.
        return hmac.compare_digest(self.signature(storage_path, int(expires)), signature)
