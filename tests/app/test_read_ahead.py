"""The proxy's read-ahead: chunks in order, at most ``depth`` fetched ahead, errors where they happen,
and the source closed when the reader stops early."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from momentloop_app.api.read_ahead import read_ahead


class Source:
    def __init__(self, count: int, *, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.fetched = 0
        self.closed = False

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            for index in range(self.count):
                await asyncio.sleep(0)
                if index == self.fail_at:
                    raise ConnectionError(f"lost at {index}")
                self.fetched += 1
                yield bytes([index])
        finally:
            self.closed = True


def test_chunks_arrive_in_order_with_one_fetched_ahead() -> None:
    async def run() -> list[int]:
        source = Source(20)
        ahead: list[int] = []
        received = []
        async for chunk in read_ahead(source.chunks(), depth=1):
            await asyncio.sleep(0.001)  # a slow client: the fetcher runs ahead, but only so far
            ahead.append(source.fetched - len(received) - 1)
            received.append(chunk[0])
        assert max(ahead) <= 2  # one waiting in the queue, one held by the blocked put
        assert source.closed
        return received

    assert asyncio.run(run()) == list(range(20))


def test_an_error_reaches_the_reader_after_the_chunks_before_it() -> None:
    async def run() -> list[int]:
        received = []
        with pytest.raises(ConnectionError, match="lost at 3"):
            async for chunk in read_ahead(Source(10, fail_at=3).chunks()):
                received.append(chunk[0])
        return received

    assert asyncio.run(run()) == [0, 1, 2]


def test_stopping_early_closes_the_source() -> None:
    async def run() -> Source:
        source = Source(1000)
        reader = read_ahead(source.chunks())
        async for _chunk in reader:
            break
        await reader.aclose()  # what the server does when the client goes away
        return source

    source = asyncio.run(run())
    assert source.closed and source.fetched < 10
