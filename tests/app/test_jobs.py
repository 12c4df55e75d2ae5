"""The PostgreSQL job queue and workers, against a real server."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from momentloop_app.jobs import queue
from momentloop_app.jobs.queue import ClaimedJob
from momentloop_app.jobs.worker import JobFailedError, ProgressReporter, Worker, WorkerOptions


def add_jobs(engine: Engine, count: int, *, user_id: str = "u1", max_attempts: int = 3) -> list[uuid.UUID]:
    with Session(engine) as session, session.begin():
        return [
            queue.enqueue_export(session, user_id=user_id, moment_ids=[uuid.uuid4()], max_attempts=max_attempts).id
            for _ in range(count)
        ]


def state(engine: Engine, job_id: uuid.UUID, user_id: str = "u1") -> queue.JobState:
    found = queue.job_state(engine, job_id, user_id=user_id)
    assert found is not None
    return found


def test_claim_takes_the_oldest_job_once(db_engine: Engine) -> None:
    first, second = add_jobs(db_engine, 2)
    claimed = queue.claim(db_engine, worker_id="w1", lease_seconds=30)
    assert claimed is not None and claimed.id == first and claimed.attempts == 1
    assert state(db_engine, first).status == "running"
    again = queue.claim(db_engine, worker_id="w2", lease_seconds=30)
    assert again is not None and again.id == second
    assert queue.claim(db_engine, worker_id="w3", lease_seconds=30) is None


def test_job_state_hides_other_users_jobs(db_engine: Engine) -> None:
    (job_id,) = add_jobs(db_engine, 1, user_id="alice")
    assert queue.job_state(db_engine, job_id, user_id="bob") is None
    assert state(db_engine, job_id, "alice").status == "queued"


def test_concurrent_claims_never_share_a_job(db_engine: Engine) -> None:
    ids = set(add_jobs(db_engine, 30))
    claimed: list[uuid.UUID] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        while (job := queue.claim(db_engine, worker_id=name, lease_seconds=30)) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(ids)


def test_a_stale_job_is_taken_over_and_the_old_owner_cannot_write(db_engine: Engine) -> None:
    (job_id,) = add_jobs(db_engine, 1)
    dead = queue.claim(db_engine, worker_id="dead", lease_seconds=0.2)
    assert dead is not None
    assert queue.claim(db_engine, worker_id="alive", lease_seconds=30) is None  # lease still valid
    time.sleep(0.3)
    alive = queue.claim(db_engine, worker_id="alive", lease_seconds=30)
    assert alive is not None and alive.id == job_id and alive.attempts == 2
    assert not queue.complete(db_engine, dead, video_path="exports/x.mp4")
    assert not queue.heartbeat(db_engine, dead, lease_seconds=30, progress=50)
    assert queue.complete(db_engine, alive, video_path="exports/y.mp4")
    final = state(db_engine, job_id)
    assert (final.status, final.progress, final.video_path) == ("done", 100, "exports/y.mp4")


def test_a_job_out_of_attempts_fails_with_a_reason(db_engine: Engine) -> None:
    (job_id,) = add_jobs(db_engine, 1, max_attempts=1)
    assert queue.claim(db_engine, worker_id="dead", lease_seconds=0.1) is not None
    time.sleep(0.2)
    assert queue.claim(db_engine, worker_id="next", lease_seconds=30) is None
    final = state(db_engine, job_id)
    assert final.status == "failed"
    assert final.error is not None and "interrupted 1 times" in final.error


@dataclass
class ScriptedRunner:
    """A job body for the worker tests (the real export runner is tested with ffmpeg and storage)."""

    steps: list[int]
    fail_with: str | None = None
    block_until_cancelled: bool = False
    started: threading.Event = field(default_factory=threading.Event)
    discarded: list[str] = field(default_factory=list)

    def run(self, job: ClaimedJob, report: ProgressReporter, cancel: threading.Event) -> str:
        self.started.set()
        for percent in self.steps:
            report(percent)
            time.sleep(0.05)
        if self.block_until_cancelled:
            assert cancel.wait(10)
            raise RuntimeError("cancelled")
        if self.fail_with:
            raise JobFailedError(self.fail_with)
        return f"exports/{job.id}.mp4"

    def discard(self, path: str) -> None:
        self.discarded.append(path)


def test_worker_runs_a_job_to_done_and_records_progress(db_engine: Engine) -> None:
    (job_id,) = add_jobs(db_engine, 1)
    seen: list[int] = []
    runner = ScriptedRunner(steps=[10, 40, 70])
    worker = Worker(db_engine, runner, options=WorkerOptions(lease_seconds=5))
    original = runner.run

    def observing_run(job: ClaimedJob, report: ProgressReporter, cancel: threading.Event) -> str:
        def spy(percent: int) -> None:
            report(percent)
            time.sleep(0.3)  # let the lease keeper store it
            seen.append(state(db_engine, job_id).progress)

        return original(job, spy, cancel)

    runner.run = observing_run  # type: ignore[method-assign]
    assert worker.run_once()
    assert seen == [10, 40, 70]
    final = state(db_engine, job_id)
    assert (final.status, final.progress, final.error) == ("done", 100, None)
    assert final.video_path == f"exports/{job_id}.mp4"
    assert not worker.run_once()


def test_worker_marks_a_failing_job_failed(db_engine: Engine) -> None:
    (job_id,) = add_jobs(db_engine, 1)
    assert Worker(db_engine, ScriptedRunner(steps=[5], fail_with="ffmpeg failed: boom")).run_once()
    final = state(db_engine, job_id)
    assert (final.status, final.error) == ("failed", "ffmpeg failed: boom")


def test_stopping_worker_gives_its_job_back(db_engine: Engine) -> None:
    (job_id,) = add_jobs(db_engine, 1)
    runner = ScriptedRunner(steps=[20], block_until_cancelled=True)
    worker = Worker(db_engine, runner, options=WorkerOptions(poll_interval_seconds=0.05))
    thread = threading.Thread(target=worker.run_forever)
    thread.start()
    assert runner.started.wait(10)
    worker.stop()
    thread.join(10)
    assert not thread.is_alive()
    final = state(db_engine, job_id)
    assert (final.status, final.progress) == ("queued", 0)
    again = queue.claim(db_engine, worker_id="next", lease_seconds=30)
    assert again is not None and again.attempts == 1
