"""Byte ranges and validators, as the proxy applies them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from momentloop_app.api.http_conditions import (
    ByteRange,
    UnsatisfiableRange,
    etag_matches,
    http_date,
    not_modified,
    parse_range,
    range_applies,
)

MODIFIED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@given(
    size=st.integers(min_value=0, max_value=10**12),
    first=st.one_of(st.none(), st.integers(min_value=0, max_value=10**13)),
    last=st.one_of(st.none(), st.integers(min_value=0, max_value=10**13)),
)
def test_a_served_range_is_inside_the_file(size: int, first: int | None, last: int | None) -> None:
    header = f"bytes={'' if first is None else first}-{'' if last is None else last}"
    try:
        wanted = parse_range(header, size)
    except UnsatisfiableRange:
        return
    if wanted is None:
        return
    assert 0 <= wanted.start <= wanted.end < size
    assert wanted.length >= 1


def test_examples() -> None:
    assert parse_range("bytes=0-499", 1000) == ByteRange(0, 499, 1000)
    assert parse_range("bytes=-500", 1000) == ByteRange(500, 999, 1000)
    assert parse_range("bytes=900-", 1000) == ByteRange(900, 999, 1000)
    assert parse_range(None, 1000) is None
    assert parse_range("bytes=0-1,3-4", 1000) is None
    assert ByteRange(0, 499, 1000).content_range == "bytes 0-499/1000"
    with pytest.raises(UnsatisfiableRange):
        parse_range("bytes=1000-", 1000)


def test_validators() -> None:
    assert etag_matches('"a", "b"', '"b"')
    assert etag_matches('W/"b"', '"b"')
    assert not etag_matches('"a"', '"b"')
    assert not_modified(if_none_match=None, if_modified_since=http_date(MODIFIED), etag='"x"', last_modified=MODIFIED)
    assert not not_modified(
        if_none_match='"y"', if_modified_since=http_date(MODIFIED), etag='"x"', last_modified=MODIFIED
    )
    assert not not_modified(if_none_match=None, if_modified_since="garbage", etag='"x"', last_modified=MODIFIED)
    assert range_applies(None, etag='"x"', last_modified=MODIFIED)
    assert range_applies('"x"', etag='"x"', last_modified=MODIFIED)
    assert not range_applies('W/"x"', etag='"x"', last_modified=MODIFIED)
    assert range_applies(http_date(MODIFIED), etag='"x"', last_modified=MODIFIED)
    assert http_date(MODIFIED) == "Fri, 02 Jan 2026 03:04:05 GMT"
