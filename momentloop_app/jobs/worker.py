"""Workers: claim a job, run it with a renewed lease and progress, record the outcome."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from momentloop_app.jobs import queue
from momentloop_app.jobs.queue import ClaimedJob

log = logging.getLogger(__name__)

ProgressReporter = Callable[[int], None]


class JobFailedError(Exception):
    """The job cannot succeed (bad input, FFmpeg failed); the message is stored as its `error`."""


class JobRunner(Protocol):
    def run(self, job: ClaimedJob, report: ProgressReporter, cancel: threading.Event) -> str:
        """Do the work; return the stored result's relative path. Raise `JobFailedError` to fail it.

        When `cancel` is set (shutdown, or the lease was lost) stop early and raise anything.
        """
        ...

    def discard(self, path: str) -> None:
        """Remove a result nobody will reference (the job was taken over while it ran)."""
        ...


@dataclass(frozen=True)
class WorkerOptions:
    lease_seconds: float = 30.0
    poll_interval_seconds: float = 1.0

    @property
    def heartbeat_seconds(self) -> float:
        return self.lease_seconds / 3


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(
        self,
        engine: Engine,
        runner: JobRunner,
        *,
        options: WorkerOptions | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.engine = engine
        self.runner = runner
        self.options = options or WorkerOptions()
        self.worker_id = worker_id or default_worker_id()
        self.stopping = threading.Event()

    def run_forever(self) -> None:
        """Claim and run jobs until `stop()`; database outages are logged and retried."""
        while not self.stopping.is_set():
            try:
                worked = self.run_once()
            except SQLAlchemyError as exc:
                log.warning("job queue unavailable: %s", exc.__class__.__name__)
                worked = False
            if not worked:
                self.stopping.wait(self.options.poll_interval_seconds)

    def stop(self) -> None:
        """Stop claiming; a running job is cancelled and given back to the queue."""
        self.stopping.set()

    def run_once(self) -> bool:
        """Run one job if there is one; `True` if a job was claimed."""
        job = queue.claim(self.engine, worker_id=self.worker_id, lease_seconds=self.options.lease_seconds)
        if job is None:
            return False
        log.info("export %s claimed by %s (attempt %d)", job.id, self.worker_id, job.attempts)
        self._run(job)
        return True

    def _run(self, job: ClaimedJob) -> None:
        cancel = threading.Event()
        lease_lost = threading.Event()
        progress = _ProgressBox()
        done = threading.Event()

        def keep_lease() -> None:
            # Wakes on each progress change (at most every 0.25 s) and renews the lease on time.
            last_sent = 0
            last_beat = time.monotonic()
            while True:
                progress.changed.wait(0.25)
                progress.changed.clear()
                if done.is_set():
                    return
                if self.stopping.is_set():
                    cancel.set()
                current = progress.value
                due = time.monotonic() - last_beat >= self.options.heartbeat_seconds
                if current == last_sent and not due:
                    continue
                try:
                    held = queue.heartbeat(
                        self.engine,
                        job,
                        lease_seconds=self.options.lease_seconds,
                        progress=current if current != last_sent else None,
                    )
                except SQLAlchemyError:
                    continue  # transient: the lease stays ours until it runs out
                last_sent, last_beat = current, time.monotonic()
                if not held:
                    lease_lost.set()
                    cancel.set()
                    return

        keeper = threading.Thread(target=keep_lease, name=f"lease-{job.id}", daemon=True)
        keeper.start()
        try:
            video_path = self.runner.run(job, progress.set, cancel)
        except JobFailedError as exc:
            failure = str(exc)
            self._finish(lambda: queue.fail(self.engine, job, reason=failure), job, "failed", failure)
        except Exception as exc:
            if lease_lost.is_set():
                log.warning("export %s: lease lost, another worker owns it now", job.id)
            elif self.stopping.is_set():
                self._finish(lambda: queue.release(self.engine, job), job, "released", "shutting down")
            else:
                log.exception("export %s crashed", job.id)
                reason = f"internal error ({exc.__class__.__name__})"
                self._finish(lambda: queue.fail(self.engine, job, reason=reason), job, "failed", reason)
        else:
            if not self._finish(
                lambda: queue.complete(self.engine, job, video_path=video_path), job, "done", video_path
            ):
                log.warning("export %s finished after its lease was lost; result discarded", job.id)
                self.runner.discard(video_path)
        finally:
            done.set()
            progress.changed.set()
            keeper.join()

    def _finish(self, write: Callable[[], bool], job: ClaimedJob, outcome: str, detail: str) -> bool:
        written = write()
        log.info("export %s %s: %s", job.id, outcome, detail)
        return written


class _ProgressBox:
    def __init__(self) -> None:
        self.value = 0
        self.changed = threading.Event()

    def set(self, percent: int) -> None:
        percent = max(0, min(int(percent), 100))
        if percent > self.value:
            self.value = percent
            self.changed.set()
