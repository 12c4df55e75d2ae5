"""The storage service's behaviour, identical on local disk and on Azure Blob Storage (Azurite)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from momentloop_app.services.storage import (
    CONTAINERS,
    InvalidStoragePath,
    RangeNotSatisfiable,
    StorageLimitExceeded,
    StorageNotFound,
    StorageService,
)
from tests.app.storage_support import BACKENDS, started_storage, storage_settings, unique_prefix
from tests.fixtures.azurite import AzuriteServer

pytestmark = pytest.mark.anyio


@pytest.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StorageService]:
    azurite: AzuriteServer | None = request.getfixturevalue("azurite") if request.param == "azure" else None
    settings = storage_settings(request.param, tmp_path=tmp_path, azurite=azurite, storage_azure_block_bytes=64 * 1024)
    async with started_storage(settings) as service:
        yield service


@pytest.fixture
def prefix() -> str:
    return unique_prefix()


async def _chunks(total: int, size: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        yield bytes((sent + i) % 251 for i in range(piece))
        sent += piece


def _pattern(total: int) -> bytes:
    return bytes(i % 251 for i in range(total))


async def test_save_then_read_back(storage: StorageService, prefix: str) -> None:
    info = await storage.save(f"uploads/{prefix}/photo.jpg", b"hello")
    assert info.path == f"uploads/{prefix}/photo.jpg"
    assert info.size == 5
    assert info.content_type == "image/jpeg"
    assert info.etag.startswith('"') and info.etag.endswith('"')
    assert info.last_modified.tzinfo is not None
    assert await storage.read_bytes(f"uploads/{prefix}/photo.jpg") == b"hello"


async def test_save_from_stream_in_many_blocks(storage: StorageService, prefix: str) -> None:
    # 300 KiB in 10 KiB chunks: several 64 KiB blocks plus a partial one.
    total = 300 * 1024 + 17
    info = await storage.save(f"videos/{prefix}/clip.mp4", _chunks(total, 10 * 1024))
    assert info.size == total
    assert info.content_type == "video/mp4"
    data = await storage.read_bytes(f"videos/{prefix}/clip.mp4")
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(_pattern(total)).hexdigest()


async def test_save_replaces_and_changes_etag(storage: StorageService, prefix: str) -> None:
    first = await storage.save(f"styled/{prefix}/a.png", b"one")
    second = await storage.save(f"styled/{prefix}/a.png", b"second")
    assert second.size == 6
    assert second.etag != first.etag
    assert await storage.read_bytes(f"styled/{prefix}/a.png") == b"second"


async def test_explicit_content_type_is_kept_when_the_name_agrees(storage: StorageService, prefix: str) -> None:
    info = await storage.save(f"exports/{prefix}/movie.webm", b"x", content_type="video/webm")
    assert (await storage.stat(info.path)).content_type == "video/webm"


async def test_empty_file(storage: StorageService, prefix: str) -> None:
    info = await storage.save(f"thumbnails/{prefix}/empty.txt", b"")
    assert info.size == 0
    assert await storage.read_bytes(info.path) == b""
    async with await storage.open_read(info.path, start=0) as reader:
        assert reader.length == 0


async def test_size_limit_stores_nothing(storage: StorageService, prefix: str) -> None:
    path = f"uploads/{prefix}/big.bin"
    with pytest.raises(StorageLimitExceeded, match="larger than the limit of 100000 bytes"):
        await storage.save(path, _chunks(300 * 1024, 32 * 1024), max_bytes=100_000)
    assert not await storage.exists(path)
    assert await storage.list(f"uploads/{prefix}") == []


async def test_failed_stream_leaves_no_file(storage: StorageService, prefix: str) -> None:
    path = f"uploads/{prefix}/broken.bin"

    async def broken() -> AsyncIterator[bytes]:
        yield b"x" * 200_000
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.save(path, broken())
    assert not await storage.exists(path)


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        (0, None, (0, 1000)),
        (10, 5, (10, 15)),
        (990, None, (990, 1000)),
        (995, 100, (995, 1000)),
        (1000, None, (1000, 1000)),
    ],
)
async def test_read_a_byte_window(
    storage: StorageService, prefix: str, start: int, length: int | None, expected: tuple[int, int]
) -> None:
    body = _pattern(1000)
    await storage.save(f"videos/{prefix}/w.bin", body)
    async with await storage.open_read(f"videos/{prefix}/w.bin", start=start, length=length) as reader:
        data = b"".join([chunk async for chunk in reader])
        assert reader.info.size == 1000
        assert (reader.start, reader.length) == (expected[0], expected[1] - expected[0])
    assert data == body[expected[0] : expected[1]]


async def test_read_past_the_end_is_unsatisfiable(storage: StorageService, prefix: str) -> None:
    await storage.save(f"videos/{prefix}/w.bin", b"abc")
    with pytest.raises(RangeNotSatisfiable) as caught:
        await storage.open_read(f"videos/{prefix}/w.bin", start=4)
    assert caught.value.size == 3


async def test_stat_exists_delete(storage: StorageService, prefix: str) -> None:
    path = f"exports/{prefix}/out.mp4"
    assert not await storage.exists(path)
    with pytest.raises(StorageNotFound):
        await storage.stat(path)
    with pytest.raises(StorageNotFound):
        await storage.open_read(path)
    assert await storage.delete(path) is False
    await storage.save(path, b"data")
    assert await storage.exists(path)
    assert await storage.delete(path) is True
    assert not await storage.exists(path)


async def test_list_by_prefix(storage: StorageService, prefix: str) -> None:
    for name in ("b/2.jpg", "a/1.jpg", "a/sub/3.jpg", "ab.jpg"):
        await storage.save(f"uploads/{prefix}/{name}", name.encode())
    listed = [info.path for info in await storage.list(f"uploads/{prefix}/a")]
    assert listed == [
        f"uploads/{prefix}/a/1.jpg",
        f"uploads/{prefix}/a/sub/3.jpg",
        f"uploads/{prefix}/ab.jpg",
    ]
    listed = [info.path for info in await storage.list(f"uploads/{prefix}/a/")]
    assert listed == [f"uploads/{prefix}/a/1.jpg", f"uploads/{prefix}/a/sub/3.jpg"]
    everything = await storage.list(f"uploads/{prefix}/")
    assert [info.size for info in everything] == [7, 11, 6, 7]
    assert await storage.list(f"uploads/{prefix}/zzz") == []


async def test_url(storage: StorageService) -> None:
    expected_prefix = "/storage" if storage.kind == "local" else "/api/storage"
    assert storage.url("uploads/u1/a b#.jpg") == f"{expected_prefix}/uploads/u1/a%20b%23.jpg"


@pytest.mark.parametrize(
    "path",
    [
        "uploads/../secret",
        "uploads/a/../../etc/passwd",
        "uploads/./a",
        "/uploads/a",
        "uploads//a",
        "uploads/a\\b",
        "uploads/a\x00b",
        "uploads/a\nb",
        "uploads/" + "a" * 1025,
        "uploads/" + "a" * 256 + "/b",
        "uploads/a.",
        "uploads",
        "uploads/",
        "",
    ],
)
async def test_unsafe_paths_are_refused(storage: StorageService, path: str) -> None:
    with pytest.raises(InvalidStoragePath):
        await storage.save(path, b"x")
    with pytest.raises(InvalidStoragePath):
        await storage.stat(path)


@pytest.mark.parametrize("path", ["secrets/a.txt", "../uploads/a", "Uploads/a", ".partial/x"])
async def test_unknown_containers_are_not_found(storage: StorageService, path: str) -> None:
    with pytest.raises(StorageNotFound):
        await storage.stat(path)
    with pytest.raises(StorageNotFound):
        await storage.save(path, b"x")


async def test_containers_exist_and_ready(storage: StorageService) -> None:
    await storage.check_ready()
    for container in CONTAINERS:
        assert await storage.list(container + "/no-such-prefix-") == []


async def test_download_to_copies_into_a_new_local_file(storage: StorageService, prefix: str, tmp_path: Path) -> None:
    await storage.save(f"uploads/{prefix}/in.mp4", _pattern(300_000), content_type="video/mp4")
    local = tmp_path / "in.mp4"
    await storage.download_to(f"uploads/{prefix}/in.mp4", local)
    assert local.read_bytes() == _pattern(300_000)
    with pytest.raises(FileExistsError):  # never overwrites a local file
        await storage.download_to(f"uploads/{prefix}/in.mp4", local)
    with pytest.raises(StorageNotFound):
        await storage.download_to(f"uploads/{prefix}/missing.mp4", tmp_path / "missing.mp4")
    assert not (tmp_path / "missing.mp4").exists()


async def test_without_a_limit_large_writes_are_stored(storage: StorageService, prefix: str) -> None:
    info = await storage.save(f"exports/{prefix}/big.mp4", _chunks(3 * 1024 * 1024, 256 * 1024))
    assert info.size == 3 * 1024 * 1024


async def test_local_start_up_removes_only_stale_partial_files(tmp_path: Path) -> None:
    settings = storage_settings("local", tmp_path=tmp_path, azurite=None)
    partial = tmp_path / "storage" / ".partial"
    partial.mkdir(parents=True)
    (partial / "stale.part").write_bytes(b"crashed")
    (partial / "fresh.part").write_bytes(b"in progress elsewhere")
    old = time.time() - 2 * 24 * 3600
    os.utime(partial / "stale.part", (old, old))
    async with started_storage(settings) as service:
        assert sorted(p.name for p in partial.iterdir()) == ["fresh.part"]
        assert await service.list("uploads") == []
