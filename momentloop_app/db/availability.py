"""The database as the app sees it: usable or not yet, and getting there by itself.

The app starts whether or not PostgreSQL answers (in Azure the server may come up after the app).
:meth:`Database.running` keeps trying in the background every ``retry_seconds``; once a connection
succeeds it applies the migrations (when enabled) and only then reports ready. Until then the API
answers 503 and ``/readyz`` says ``database: unreachable`` (or ``migrating``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Literal

from sqlalchemy import Engine

from momentloop_app.db import migrate
from momentloop_app.db.engine import ping

log = logging.getLogger(__name__)

DatabaseState = Literal["unreachable", "migrating", "ready"]


class DatabaseUnavailable(Exception):
    """The database cannot be used right now; ``state`` says why (``unreachable`` or ``migrating``)."""

    def __init__(self, state: DatabaseState) -> None:
        super().__init__(f"the database is {state}")
        self.state = state


class Database:
    def __init__(self, engine: Engine, *, migrate_on_start: bool = True, retry_seconds: float = 2.0) -> None:
        self.engine = engine
        self.migrate_on_start = migrate_on_start
        self.retry_seconds = retry_seconds
        #: Set once the database answered and the migrations ran; worker threads wait on it.
        self.ready = threading.Event()
        self.state: DatabaseState = "unreachable"

    def require(self) -> None:
        """Raise :class:`DatabaseUnavailable` unless the database is ready."""
        if not self.ready.is_set():
            raise DatabaseUnavailable(self.state)

    async def check_ready(self) -> None:
        """For ``/readyz``: raise :class:`DatabaseUnavailable` unless ready and answering now."""
        self.require()
        try:
            await asyncio.to_thread(ping, self.engine)
        except Exception as error:
            raise DatabaseUnavailable("unreachable") from error

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Database]:
        """Connect (and migrate) in the background until it works; close the pool on exit."""
        task = asyncio.create_task(self._connect_until_ready(), name="database-connect")
        try:
            yield self
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            await asyncio.to_thread(self.engine.dispose)

    async def _connect_until_ready(self) -> None:
        failures = 0
        while True:
            try:
                await asyncio.to_thread(self._connect_and_migrate)
            except Exception as error:
                failures += 1
                # The first failure, then one line a minute or so: a database that is late is not news.
                if failures == 1 or failures % max(1, round(60 / self.retry_seconds)) == 0:
                    log.warning(
                        "the database is %s (%s), retrying every %g s", self.state, _reason(error), self.retry_seconds
                    )
                await asyncio.sleep(self.retry_seconds)
                continue
            self.state = "ready"
            self.ready.set()
            if failures:
                log.info("the database is reachable now, after %d failed attempt(s)", failures)
            return

    def _connect_and_migrate(self) -> None:
        self.state = "unreachable"
        ping(self.engine)
        if self.migrate_on_start:
            self.state = "migrating"
            migrate.upgrade(self.engine)


def _reason(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0]
