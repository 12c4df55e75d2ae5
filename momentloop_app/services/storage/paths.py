"""Storage paths: ``container/name``, relative, checked before any backend sees them."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from momentloop_app.services.storage.errors import InvalidStoragePath, StorageNotFound

CONTAINERS: tuple[str, ...] = ("uploads", "styled", "videos", "exports", "thumbnails")

# Azure's limit on a blob name; a file name segment is limited like on common file systems.
MAX_NAME_LENGTH = 1024
MAX_SEGMENT_LENGTH = 255

DEFAULT_CONTENT_TYPE = "application/octet-stream"
_EXTRA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".heic": "image/heic",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
}


@dataclass(frozen=True, slots=True)
class StoragePath:
    """A checked path: one of the five containers and a safe blob name."""

    container: str
    name: str

    def __str__(self) -> str:
        return f"{self.container}/{self.name}"


def parse_path(path: str) -> StoragePath:
    """Split and check ``container/name``.

    Raises :class:`InvalidStoragePath` for anything that could escape a container (``..``, ``.``,
    empty segments, absolute paths, backslashes, control characters, overlong names) and
    :class:`StorageNotFound` for a container that is not one of :data:`CONTAINERS`.
    """
    container, sep, name = path.partition("/")
    if not sep or not name:
        raise InvalidStoragePath(f"storage path {_quote(path)} is not of the form 'container/name'")
    _check_container(container, path)
    check_name(name, path=path)
    return StoragePath(container, name)


def parse_prefix(prefix: str) -> tuple[str, str]:
    """Split a listing prefix ``container[/name-prefix]`` into (container, name prefix)."""
    container, _, name_prefix = prefix.partition("/")
    _check_container(container, prefix)
    if name_prefix:
        _check_characters(name_prefix, prefix)
        segments = name_prefix.split("/")
        # The last segment may be partial or empty ("uploads/abc/"), the others must be names.
        for segment in segments[:-1]:
            _check_segment(segment, prefix)
        if segments[-1] in (".", ".."):
            raise InvalidStoragePath(f"storage prefix {_quote(prefix)} contains {segments[-1]!r}")
    return container, name_prefix


def check_name(name: str, *, path: str | None = None) -> None:
    """Check a blob name (the part after the container)."""
    shown = path if path is not None else name
    _check_characters(name, shown)
    for segment in name.split("/"):
        _check_segment(segment, shown)


def guess_content_type(name: str) -> str:
    """The content type a name's extension suggests, or ``application/octet-stream``."""
    dot = name.rfind(".")
    if dot != -1:
        extra = _EXTRA_TYPES.get(name[dot:].lower())
        if extra:
            return extra
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or DEFAULT_CONTENT_TYPE


def _check_container(container: str, shown: str) -> None:
    if not container:
        raise InvalidStoragePath(f"storage path {_quote(shown)} must not start with '/'")
    if container not in CONTAINERS:
        raise StorageNotFound(f"container {_quote(container)} does not exist: expected one of {', '.join(CONTAINERS)}")


def _check_characters(name: str, shown: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidStoragePath(
            f"storage path {_quote(shown)} is too long: {len(name)} characters, at most {MAX_NAME_LENGTH}"
        )
    if "\\" in name:
        raise InvalidStoragePath(f"storage path {_quote(shown)} contains a backslash")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        raise InvalidStoragePath(f"storage path {_quote(shown)} contains a control character")


def _check_segment(segment: str, shown: str) -> None:
    if not segment:
        raise InvalidStoragePath(f"storage path {_quote(shown)} has an empty segment")
    if segment in (".", ".."):
        raise InvalidStoragePath(f"storage path {_quote(shown)} contains {segment!r}")
    if segment.endswith("."):
        # Azure trims trailing dots from names; refusing them keeps both backends identical.
        raise InvalidStoragePath(f"storage path {_quote(shown)} has a segment ending with '.'")
    if len(segment) > MAX_SEGMENT_LENGTH:
        raise InvalidStoragePath(
            f"storage path {_quote(shown)} has a segment longer than {MAX_SEGMENT_LENGTH} characters"
        )


def _quote(value: str) -> str:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return repr(shown)
