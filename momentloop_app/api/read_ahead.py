"""Read ahead of a slow consumer: fetch the next chunk while the current one is being sent.

Streaming a blob through the proxy is fetch (from storage), then send (to the client), per chunk.
Done one after the other the two latencies add up; with one chunk fetched ahead they overlap, at
the cost of holding at most ``depth`` more chunks in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

_END = object()


async def read_ahead(chunks: AsyncIterator[bytes], *, depth: int = 1) -> AsyncIterator[bytes]:
    """``chunks`` as they are, pulled by a task of their own up to ``depth`` ahead of the reader.

    An error while fetching reaches the reader at the chunk where it happened. When the reader
    stops early (the client left), the fetching task is cancelled, which closes ``chunks``.
    """
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=depth)

    async def fetch() -> None:
        try:
            async for chunk in chunks:
                await queue.put(chunk)
        except Exception as error:  # handed to the reader, raised there
            await queue.put(error)
        else:
            await queue.put(_END)

    fetcher = asyncio.create_task(fetch())
    try:
        while (item := await queue.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        fetcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await fetcher
