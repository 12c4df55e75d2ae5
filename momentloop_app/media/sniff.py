"""Image type from the first bytes of a file, never from its name."""

from __future__ import annotations

from typing import Final

SNIFF_BYTES: Final = 12
EXTENSIONS: Final = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def sniff_image_type(head: bytes) -> str | None:
    """`image/jpeg`, `image/png` or `image/webp` for those formats' signatures; `None` otherwise."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= SNIFF_BYTES and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None
