"""The job queue: every state change is one SQL statement on `export_jobs`.

A worker *claims* a job by taking a lease (`locked_by`, `locked_until`) with
`SELECT ... FOR UPDATE SKIP LOCKED`, so any number of replicas and worker processes can poll the
same table. While it works it renews the lease (`heartbeat`). A job whose lease ran out belongs to
a worker that died (a replica scaled to zero, a crash): it is claimed again while it has attempts
left and marked `failed` with a reason once it has none, never silently dropped. Every write after
the claim is conditional on still holding the lease, so a worker that lost its job cannot
overwrite the new owner's state.

Why not procrastinate (evaluated against these guarantees): its stalled-job recovery is worker-level
heartbeats plus a periodic task the app writes (`get_stalled_jobs` + `retry_job`), and a worker taken
for dead that comes back can still finish and mark the job done (no fenced writes); `RetryStrategy`
bounds failures, not interruptions, so "failed after N interrupted attempts, with a reason" would be
ours again; an aborted job (shutdown, `should_abort`) ends `aborted` and is never retried, where here
SIGTERM stops FFmpeg and gives the job back with the attempt not counted; its jobs table has no
progress or result, so `export_jobs` (read by the API and the WebSocket) would stay beside it; and it
brings its own pool (Entra tokens through a custom psycopg_pool connection class) and its own schema
beside the Alembic chain.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from momentloop_app.db.models import ExportJob

DEFAULT_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class ClaimedJob:
    id: uuid.UUID
    user_id: str
    moment_ids: list[uuid.UUID]
    attempts: int
    locked_by: str


@dataclass(frozen=True)
class JobState:
    id: uuid.UUID
    status: str
    progress: int
    video_path: str | None
    error: str | None
    updated_at: datetime

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


def enqueue_export(
    session: Session, *, user_id: str, moment_ids: list[uuid.UUID], max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> ExportJob:
    job = ExportJob(id=uuid.uuid4(), user_id=user_id, moment_ids=moment_ids, max_attempts=max_attempts)
    session.add(job)
    session.flush()
    return job


_CLAIM = text(
    """
    UPDATE export_jobs
       SET status = 'running', attempts = attempts + 1, progress = 0, error = NULL,
           locked_by = :worker, locked_until = clock_timestamp() + make_interval(secs => :lease),
           updated_at = clock_timestamp()
     WHERE id = (
           SELECT id FROM export_jobs
            WHERE attempts < max_attempts
              AND (status = 'queued' OR (status = 'running' AND locked_until < clock_timestamp()))
            ORDER BY created_at
            FOR UPDATE SKIP LOCKED
            LIMIT 1)
    RETURNING id, user_id, moment_ids, attempts, locked_by
    """
)

_FAIL_EXHAUSTED = text(
    """
    UPDATE export_jobs
       SET status = 'failed', locked_by = NULL, locked_until = NULL,
           error = 'the export was interrupted ' || attempts || ' times (the worker running it stopped)',
           finished_at = clock_timestamp(), updated_at = clock_timestamp()
     WHERE status = 'running' AND locked_until < clock_timestamp() AND attempts >= max_attempts
    """
)


def claim(engine: Engine, *, worker_id: str, lease_seconds: float) -> ClaimedJob | None:
    """Take the oldest queued (or abandoned) job, or `None`; also fails jobs out of attempts."""
    with engine.begin() as conn:
        conn.execute(_FAIL_EXHAUSTED)
        row = conn.execute(_CLAIM, {"worker": worker_id, "lease": lease_seconds}).one_or_none()
    if row is None:
        return None
    return ClaimedJob(
        id=row.id,
        user_id=row.user_id,
        moment_ids=list(row.moment_ids),
        attempts=row.attempts,
        locked_by=row.locked_by,
    )


def _owned_update(engine: Engine, job: ClaimedJob, assignments: str, params: dict[str, object]) -> bool:
    statement = text(
        f"UPDATE export_jobs SET {assignments}, updated_at = clock_timestamp() "
        "WHERE id = :id AND locked_by = :worker AND status = 'running'"
    )
    with engine.begin() as conn:
        result = conn.execute(statement, {"id": job.id, "worker": job.locked_by, **params})
    return bool(result.rowcount)


def heartbeat(engine: Engine, job: ClaimedJob, *, lease_seconds: float, progress: int | None = None) -> bool:
    """Renew the lease (and store progress); `False` when this worker no longer holds the job."""
    if progress is None:
        return _owned_update(
            engine,
            job,
            "locked_until = clock_timestamp() + make_interval(secs => :lease)",
            {"lease": lease_seconds},
        )
    return _owned_update(
        engine,
        job,
        "locked_until = clock_timestamp() + make_interval(secs => :lease), progress = GREATEST(progress, :p)",
        {"lease": lease_seconds, "p": max(0, min(progress, 100))},
    )


def complete(engine: Engine, job: ClaimedJob, *, video_path: str) -> bool:
    return _owned_update(
        engine,
        job,
        "status = 'done', progress = 100, video_path = :path, locked_by = NULL, locked_until = NULL, "
        "finished_at = clock_timestamp()",
        {"path": video_path},
    )


def fail(engine: Engine, job: ClaimedJob, *, reason: str) -> bool:
    return _owned_update(
        engine,
        job,
        "status = 'failed', error = :reason, locked_by = NULL, locked_until = NULL, finished_at = clock_timestamp()",
        {"reason": reason[:1000]},
    )


def release(engine: Engine, job: ClaimedJob) -> bool:
    """Give the job back untouched (graceful shutdown): queued again, the attempt not counted."""
    return _owned_update(
        engine,
        job,
        "status = 'queued', progress = 0, attempts = GREATEST(attempts - 1, 0), locked_by = NULL, locked_until = NULL",
        {},
    )


def job_state(engine: Engine, job_id: uuid.UUID, *, user_id: str) -> JobState | None:
    """The job as its owner sees it; `None` for a missing job or another user's."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, status, progress, video_path, error, updated_at FROM export_jobs "
                "WHERE id = :id AND user_id = :user"
            ),
            {"id": job_id, "user": user_id},
        ).one_or_none()
    if row is None:
        return None
    return JobState(
        id=row.id,
        status=row.status,
        progress=row.progress,
        video_path=row.video_path,
        error=row.error,
        updated_at=row.updated_at,
    )
