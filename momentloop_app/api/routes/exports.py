"""`/api/exports` (create, status) and `WS /ws/exports/{id}` (progress events until the job ends).

Jobs live in PostgreSQL; any replica or `momentloop-worker` process runs them. The WebSocket reads
the job's row, so it works whichever replica holds the socket and whichever runs the job.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, WebSocket
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from momentloop_app.api.auth_dependency import CurrentUser
from momentloop_app.api.context import ApiContext, get_context, require_database
from momentloop_app.auth import InvalidTokenError
from momentloop_app.db.availability import DatabaseUnavailable
from momentloop_app.db.models import Moment
from momentloop_app.jobs import queue
from momentloop_app.jobs.queue import JobState

router = APIRouter(tags=["exports"])

WS_POLL_SECONDS = 0.2
WS_CLOSE_UNAUTHORIZED = 4401
WS_CLOSE_NOT_FOUND = 4404
WS_CLOSE_TRY_AGAIN_LATER = 1013


class ExportRequest(BaseModel):
    moment_ids: Annotated[list[uuid.UUID], Field(min_length=1)]


class ExportCreated(BaseModel):
    id: uuid.UUID
    status: str


class ExportOut(BaseModel):
    id: uuid.UUID
    status: str
    progress: int
    video_url: str | None = None
    error: str | None = None


def to_out(context: ApiContext, state: JobState) -> ExportOut:
    return ExportOut(
        id=state.id,
        status=state.status,
        progress=state.progress,
        video_url=(context.media_urls.url(state.video_path) if state.status == "done" and state.video_path else None),
        error=state.error if state.status == "failed" else None,
    )


def _owned_count(context: ApiContext, user_id: str, moment_ids: set[uuid.UUID]) -> int:
    with Session(context.engine) as session:
        query = select(func.count()).where(Moment.id.in_(moment_ids), Moment.user_id == user_id)
        return int(session.scalar(query) or 0)


def _enqueue(context: ApiContext, user_id: str, moment_ids: list[uuid.UUID]) -> uuid.UUID:
    with Session(context.engine) as session, session.begin():
        job = queue.enqueue_export(
            session, user_id=user_id, moment_ids=moment_ids, max_attempts=context.settings.exports.job_max_attempts
        )
        return job.id


@router.post("/api/exports", status_code=202, response_model=ExportCreated, dependencies=[Depends(require_database)])
async def create_export(request: Request, body: ExportRequest, user_id: CurrentUser) -> ExportCreated:
    context = get_context(request)
    limit = context.settings.exports.export_max_images
    if len(body.moment_ids) > limit:
        raise HTTPException(
            status_code=422, detail=f"an export takes at most {limit} moments, got {len(body.moment_ids)}"
        )
    unique = set(body.moment_ids)
    if await asyncio.to_thread(_owned_count, context, user_id, unique) != len(unique):
        raise HTTPException(status_code=404, detail="one or more moments were not found")
    job_id = await asyncio.to_thread(_enqueue, context, user_id, body.moment_ids)
    return ExportCreated(id=job_id, status="queued")


def _parse_job_id(job_id: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(job_id)
    except ValueError:
        return None


@router.get("/api/exports/{job_id}", response_model=ExportOut, dependencies=[Depends(require_database)])
async def get_export(request: Request, job_id: str, user_id: CurrentUser) -> ExportOut:
    context = get_context(request)
    checked = _parse_job_id(job_id)
    state = (
        None if checked is None else await asyncio.to_thread(queue.job_state, context.engine, checked, user_id=user_id)
    )
    if state is None:
        raise HTTPException(status_code=404, detail="export not found")
    return to_out(context, state)


def event(context: ApiContext, state: JobState) -> dict[str, Any]:
    payload: dict[str, Any] = {"status": state.status, "progress": state.progress}
    out = to_out(context, state)
    if out.video_url:
        payload["video_url"] = out.video_url
    if out.error:
        payload["error"] = out.error
    return payload


@router.websocket("/ws/exports/{job_id}")
async def export_events(websocket: WebSocket, job_id: str) -> None:
    """Current state first, then every change, until `done` or `failed`; then a normal close.

    A missing, bad or other user's token, or an unknown job, closes the socket with no event
    (4401 / 4404); a database that cannot be reached, with 1013 (try again later).
    """
    context = get_context(websocket)
    await websocket.accept()
    try:
        user_id = context.verifier.user_id(websocket.query_params.get("token", ""))
    except InvalidTokenError:
        await websocket.close(code=WS_CLOSE_UNAUTHORIZED)
        return
    checked = _parse_job_id(job_id)
    last: tuple[str, int] | None = None
    while True:
        try:
            context.database.require()
            state = (
                None
                if checked is None
                else await asyncio.to_thread(queue.job_state, context.engine, checked, user_id=user_id)
            )
        except (DatabaseUnavailable, OperationalError, InterfaceError):
            await websocket.close(code=WS_CLOSE_TRY_AGAIN_LATER, reason="the database is not reachable right now")
            return
        if state is None:
            await websocket.close(code=WS_CLOSE_NOT_FOUND)
            return
        if (state.status, state.progress) != last:
            last = (state.status, state.progress)
            try:
                await websocket.send_json(event(context, state))
            except (WebSocketDisconnect, RuntimeError):
                return
        if state.finished:
            await websocket.close(code=1000)
            return
        if await _client_left(websocket):
            return


async def _client_left(websocket: WebSocket) -> bool:
    """Wait one poll interval; `True` if the client disconnected meanwhile (its messages are ignored)."""
    try:
        message = await asyncio.wait_for(websocket.receive(), WS_POLL_SECONDS)
    except TimeoutError:
        return False
    except (WebSocketDisconnect, RuntimeError):
        return True
    return bool(message["type"] == "websocket.disconnect")
