"""`momentloop-worker`: run export jobs from PostgreSQL in a separate process.

Reads the same environment as the API (`DATABASE_URL` or `POSTGRES_*`, `STORAGE_BACKEND`, ...).
SIGTERM or SIGINT stops it cleanly: a running job's FFmpeg is stopped and the job is given back to
the queue for another worker.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import threading
from types import FrameType

from momentloop_app.api.moments_runtime import MomentsRuntime
from momentloop_app.core.config import ConfigurationError, load_settings
from momentloop_app.db.settings import DatabaseNotConfiguredError
from momentloop_app.jobs.worker import Worker
from momentloop_app.services.storage import create_storage_service


async def _serve(stop: threading.Event, workers: int) -> None:
    settings = load_settings()
    settings.mode()  # a missing database is one clear sentence, not a traceback
    storage = create_storage_service(settings)
    async with storage.running():
        runtime = MomentsRuntime.create(settings, storage)
        loop = asyncio.get_running_loop()
        pool = [
            Worker(runtime.engine, runtime.export_runner(loop), options=runtime.worker_options())
            for _ in range(workers)
        ]
        threads = [
            threading.Thread(target=worker.run_forever, name=f"worker-{index}")
            for index, worker in enumerate(pool)
        ]
        for thread in threads:
            thread.start()
        logging.getLogger(__name__).info("momentloop-worker: %d worker(s) polling for exports", workers)
        try:
            await asyncio.to_thread(stop.wait)
        finally:
            for worker in pool:
                worker.stop()
            for thread in threads:
                await asyncio.to_thread(thread.join)
            await asyncio.to_thread(runtime.engine.dispose)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="momentloop-worker", description="Run export jobs from PostgreSQL (same environment as the API)."
    )
    parser.add_argument("--workers", type=int, default=1, help="jobs run at the same time (default 1)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        print(f"momentloop-worker: --workers={args.workers!r} must be at least 1", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        asyncio.run(_serve(stop, args.workers))
    except (ConfigurationError, DatabaseNotConfiguredError) as exc:
        print(f"momentloop-worker: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
