"""HTTP byte ranges (RFC 9110 §14) and conditional requests (§13), for streaming stored files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})", re.ASCII)


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Bytes ``start`` .. ``end`` inclusive of a representation of ``size`` bytes."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


class UnsatisfiableRange(Exception):
    """The range asks for bytes the representation does not have (answer 416)."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single byte range ``header`` asks for, or None to send everything.

    Headers that are malformed, not in bytes, or ask for several ranges are ignored (the RFC
    allows serving the whole representation instead). Raises :class:`UnsatisfiableRange`.
    """
    if not header:
        return None
    match = _RANGE.fullmatch(header.replace(" ", "").replace("\t", ""))
    if match is None:
        return None
    first, last = match.groups()
    if first:
        start = int(first)
        end = int(last) if last else size - 1
        if last and end < start:
            return None  # syntactically invalid: ignored
        if start >= size:
            raise UnsatisfiableRange(header)
        return ByteRange(start, min(end, size - 1), size)
    if not last:
        return None
    suffix = int(last)
    if suffix == 0 or size == 0:
        raise UnsatisfiableRange(header)
    return ByteRange(max(0, size - suffix), size - 1, size)


def etag_matches(header: str, etag: str) -> bool:
    """``If-None-Match``: weak comparison against a list of entity tags or ``*``."""
    if header.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(tag) == wanted for tag in header.split(",") if tag.strip())


def not_modified(
    *, if_none_match: str | None, if_modified_since: str | None, etag: str, last_modified: datetime
) -> bool:
    """Whether a GET/HEAD can be answered 304 (If-None-Match wins over If-Modified-Since)."""
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    if if_modified_since:
        since = _parse_date(if_modified_since)
        return since is not None and last_modified.replace(microsecond=0) <= since
    return False


def range_applies(if_range: str | None, *, etag: str, last_modified: datetime) -> bool:
    """``If-Range``: the range is served only if the validator still matches (strong comparison)."""
    if not if_range:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        return not value.startswith("W/") and not etag.startswith("W/") and value == etag
    date = _parse_date(value)
    return date is not None and date == last_modified.replace(microsecond=0)


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/")


def _parse_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None
