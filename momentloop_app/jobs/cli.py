"""`momentloop-worker`: run export jobs from PostgreSQL in a separate process.

Reads the same environment as the API (`DATABASE_URL` or `POSTGRES_*`, `STORAGE_BACKEND`, ...).
It waits for the database like the API does. SIGTERM or SIGINT stops it cleanly: a running job's
FFmpeg is stopped and the job is given back to the queue for another worker.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import threading
from types import FrameType

from momentloop_app.core.settings import ConfigurationError, load_settings
from momentloop_app.db.availability import Database
from momentloop_app.db.engine import create_db_engine
from momentloop_app.jobs.exports import export_workers
from momentloop_app.jobs.pool import WorkerPool
from momentloop_app.services.storage import create_storage_service


async def _serve(stop: threading.Event, workers: int) -> None:
    settings = load_settings()
    settings.database.mode()  # a missing database is one clear sentence, not a traceback
    storage = create_storage_service(settings)
    engine = create_db_engine(settings.database, client_id=settings.identity.azure_client_id)
    # The API replicas apply the migrations; this process only waits until the database answers.
    database = Database(engine, migrate_on_start=False, retry_seconds=settings.database.database_retry_seconds)
    make_worker = export_workers(settings, engine=engine, storage=storage, loop=asyncio.get_running_loop())
    pool = WorkerPool(make_worker, size=workers, ready=database.ready)
    async with storage.running(), database.running(), pool.running():
        logging.getLogger(__name__).info("momentloop-worker: %d worker(s) polling for exports", workers)
        await asyncio.to_thread(stop.wait)


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
    except ConfigurationError as exc:
        print(f"momentloop-worker: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
