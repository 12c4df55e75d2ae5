"""A pool of export worker threads: started together, stopped together (API replicas and
`momentloop-worker` both run one)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from momentloop_app.jobs.worker import Worker

log = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 30.0


class WorkerPool:
    """``size`` workers made by ``make_worker``, each in its own thread.

    They begin polling once ``ready`` is set (the database answered and is migrated); leaving
    :meth:`running` stops them: a running job's FFmpeg is stopped and the job given back to the queue.
    """

    def __init__(self, make_worker: Callable[[], Worker], *, size: int, ready: threading.Event | None = None) -> None:
        self.make_worker = make_worker
        self.size = size
        self.ready = ready
        self.workers: list[Worker] = []
        self._threads: list[threading.Thread] = []

    @asynccontextmanager
    async def running(self) -> AsyncIterator[WorkerPool]:
        for index in range(self.size):
            worker = self.make_worker()
            thread = threading.Thread(target=self._run, args=(worker,), name=f"export-worker-{index}", daemon=True)
            self.workers.append(worker)
            self._threads.append(thread)
            thread.start()
        if self.size:
            log.info("%d export worker(s) started", self.size)
        try:
            yield self
        finally:
            for worker in self.workers:
                worker.stop()
            for thread in self._threads:
                await asyncio.to_thread(thread.join, STOP_TIMEOUT_SECONDS)
            self.workers.clear()
            self._threads.clear()

    def _run(self, worker: Worker) -> None:
        if self.ready is not None:
            while not self.ready.wait(0.2):
                if worker.stopping.is_set():
                    return
        worker.run_forever()
