"""Storage paths: whatever the input, a checked path never leaves its container."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from momentloop_app.services.storage import CONTAINERS, InvalidStoragePath, StorageNotFound, parse_path
from momentloop_app.services.storage.paths import guess_content_type, parse_prefix
from tests.repo import REPO_ROOT

SEGMENTS = st.sampled_from(["..", ".", "", "a", "b.mp4", "%2e%2e", "\\", "\x00", "c:", "~", " ", "é", "a."])
PATHS = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(SEGMENTS, st.sampled_from(CONTAINERS)), min_size=1, max_size=6).map("/".join),
)


@given(PATHS)
def test_a_checked_path_stays_inside_its_container(path: str) -> None:
    try:
        checked = parse_path(path)
    except (InvalidStoragePath, StorageNotFound):
        return
    assert checked.container in CONTAINERS
    root = Path("/srv/storage") / checked.container
    resolved = os.path.normpath(root / checked.name)
    assert os.path.commonpath([str(root), resolved]) == str(root)
    assert "\\" not in checked.name and "\x00" not in checked.name
    assert str(checked) == path


def test_prefixes() -> None:
    assert parse_prefix("uploads") == ("uploads", "")
    assert parse_prefix("uploads/") == ("uploads", "")
    assert parse_prefix("uploads/u1/ph") == ("uploads", "u1/ph")
    with pytest.raises(InvalidStoragePath):
        parse_prefix("uploads/../x")
    with pytest.raises(StorageNotFound):
        parse_prefix("nope/x")


def test_error_messages_quote_the_path() -> None:
    with pytest.raises(InvalidStoragePath, match=r"storage path 'uploads/\.\./x' contains '\.\.'"):
        parse_path("uploads/../x")
    with pytest.raises(StorageNotFound, match=r"container 'secrets' does not exist: expected one of uploads, styled"):
        parse_path("secrets/x")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.mp4", "video/mp4"),
        ("a.MOV", "video/quicktime"),
        ("a.webm", "video/webm"),
        ("a.webp", "image/webp"),
        ("a.jpg", "image/jpeg"),
        ("a.png", "image/png"),
        ("noext", "application/octet-stream"),
    ],
)
def test_content_types(name: str, expected: str) -> None:
    assert guess_content_type(name) == expected


def test_the_containers_are_the_ones_the_stack_creates() -> None:
    """The app's containers against the synthesized storage module (what Azure will really have)."""
    bicep = (REPO_ROOT / "synth_out" / "infra" / "modules" / "storage.bicep").read_text()
    created = re.findall(
        r"'Microsoft\.Storage/storageAccounts/blobServices/containers@[^']+' = \{\s+parent: \w+\s+name: '([^']+)'",
        bicep,
    )
    assert created and sorted(created) == sorted(CONTAINERS)
