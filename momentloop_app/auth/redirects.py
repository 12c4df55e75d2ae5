"""Where sign-in may send the browser back to: a path on our own origin, nothing else."""

from __future__ import annotations

MAX_NEXT_LENGTH = 2048


def safe_next_path(value: str | None) -> str:
    """``value`` if it is a same-origin absolute path (its fragment dropped), else ``/``.

    Refused: other origins (``https://...``), scheme-relative (``//host``) and backslash forms
    browsers read as such, control characters, and overlong values.
    """
    if not value or len(value) > MAX_NEXT_LENGTH or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return "/"
    return value.partition("#")[0] or "/"
