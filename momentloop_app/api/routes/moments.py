"""`/api/moments`: upload (streamed, sniffed, thumbnailed), list (newest first, cursor), get, delete.

Paths are stored relative; responses carry URLs built by the storage service. Another user's
moment is answered exactly like a missing one (404).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from momentloop_app.api.auth_dependency import CurrentUser
from momentloop_app.api.context import ApiContext, get_context, require_database
from momentloop_app.api.upload_stream import RequestBody, UploadError, receive_file
from momentloop_app.db.models import Moment
from momentloop_app.media.images import InvalidImageError, check_image, make_thumbnail
from momentloop_app.media.sniff import EXTENSIONS, sniff_image_type
from momentloop_app.services.storage import StorageLimitExceeded, StorageUnavailable

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/moments", tags=["moments"], dependencies=[Depends(require_database)])

MULTIPART_OVERHEAD = 64 * 1024
MAX_PAGE = 100


class MomentOut(BaseModel):
    id: uuid.UUID
    image_url: str
    thumbnail_url: str
    content_type: str
    size: int
    created_at: datetime


class MomentPage(BaseModel):
    items: list[MomentOut]
    next_cursor: str | None


def to_out(context: ApiContext, moment: Moment) -> MomentOut:
    return MomentOut(
        id=moment.id,
        image_url=context.media_urls.url(moment.image_path),
        thumbnail_url=context.media_urls.url(moment.thumbnail_path),
        content_type=moment.content_type,
        size=moment.size,
        created_at=moment.created_at,
    )


def encode_cursor(moment: Moment) -> str:
    raw = f"{moment.created_at.isoformat()}|{moment.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, _, moment_id = raw.partition("|")
        return datetime.fromisoformat(created), uuid.UUID(moment_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise HTTPException(status_code=400, detail=f"cursor {cursor[:80]!r} is not valid") from exc


def storage_unavailable(exc: StorageUnavailable) -> HTTPException:
    return HTTPException(status_code=503, detail="storage is unavailable, try again later")


def parse_moment_id(moment_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(moment_id)
    except ValueError as exc:
        raise HTTPException(status_code=404, detail="moment not found") from exc


def _insert(context: ApiContext, moment: Moment) -> Moment:
    with Session(context.engine, expire_on_commit=False) as session, session.begin():
        session.add(moment)
        session.flush()
        session.refresh(moment)
    return moment


def _check_and_thumbnail(context: ApiContext, source: Path, thumbnail: Path) -> None:
    timeout = context.settings.media.media_timeout_seconds
    check_image(source, timeout_seconds=timeout, binaries=context.binaries)
    make_thumbnail(
        source,
        thumbnail,
        max_side=context.settings.uploads.thumbnail_max_side,
        timeout_seconds=timeout,
        binaries=context.binaries,
    )


@router.post("", status_code=201, response_model=MomentOut)
async def create_moment(request: Request, user_id: CurrentUser) -> MomentOut:
    context = get_context(request)
    limit = context.settings.uploads.max_upload_bytes
    body = RequestBody(request.receive)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD:
        await body.discard_rest()
        raise HTTPException(status_code=413, detail=f"the upload is larger than the limit of {limit} bytes")
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="momentloop-upload-"))
    stored: list[str] = []
    try:
        try:
            received = await receive_file(
                body.chunks(),
                request.headers.get("content-type"),
                field_name="file",
                target=folder / "upload",
                max_bytes=limit,
            )
        except UploadError as exc:
            await body.discard_rest()
            raise HTTPException(status_code=exc.status_code, detail=str(exc)) from exc
        content_type = sniff_image_type(received.head)
        if content_type is None:
            raise HTTPException(status_code=415, detail="the file is not a JPEG, PNG or WebP image")
        thumbnail = folder / "thumbnail.jpg"
        try:
            async with context.media_slots:
                await asyncio.to_thread(_check_and_thumbnail, context, received.path, thumbnail)
        except InvalidImageError as exc:
            raise HTTPException(status_code=415, detail=str(exc)) from exc

        moment_id = uuid.uuid4()
        image_path = f"uploads/{moment_id}.{EXTENSIONS[content_type]}"
        thumbnail_path = f"thumbnails/{moment_id}.jpg"
        try:
            async with context.storage_slots:
                await context.storage.save_file(image_path, received.path, content_type=content_type, max_bytes=limit)
                stored.append(image_path)
                await context.storage.save_file(thumbnail_path, thumbnail, content_type="image/jpeg")
                stored.append(thumbnail_path)
        except StorageLimitExceeded as exc:
            raise HTTPException(status_code=413, detail=f"the upload is larger than {limit} bytes") from exc
        except StorageUnavailable as exc:
            raise storage_unavailable(exc) from exc
        moment = Moment(
            id=moment_id,
            user_id=user_id,
            image_path=image_path,
            thumbnail_path=thumbnail_path,
            content_type=content_type,
            size=received.size,
        )
        moment = await asyncio.to_thread(_insert, context, moment)
        stored.clear()  # owned by the row now
        return to_out(context, moment)
    finally:
        for path in stored:  # the row was never written: do not leave orphans
            try:
                await context.storage.delete(path)
            except Exception:
                log.warning("could not remove %s after a failed upload", path)
        await asyncio.to_thread(shutil.rmtree, folder, True)


def _page(context: ApiContext, user_id: str, limit: int, after: tuple[datetime, uuid.UUID] | None) -> list[Moment]:
    query = select(Moment).where(Moment.user_id == user_id)
    if after is not None:
        created, moment_id = after
        query = query.where(or_(Moment.created_at < created, and_(Moment.created_at == created, Moment.id < moment_id)))
    query = query.order_by(Moment.created_at.desc(), Moment.id.desc()).limit(limit + 1)
    with Session(context.engine) as session:
        return list(session.scalars(query))


@router.get("", response_model=MomentPage)
async def list_moments(
    request: Request,
    user_id: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: str | None = None,
) -> MomentPage:
    context = get_context(request)
    after = decode_cursor(cursor) if cursor else None
    rows = await asyncio.to_thread(_page, context, user_id, limit, after)
    more = len(rows) > limit
    rows = rows[:limit]
    return MomentPage(
        items=[to_out(context, row) for row in rows],
        next_cursor=encode_cursor(rows[-1]) if more and rows else None,
    )


def _get(context: ApiContext, user_id: str, moment_id: uuid.UUID) -> Moment | None:
    with Session(context.engine) as session:
        return session.scalars(select(Moment).where(Moment.id == moment_id, Moment.user_id == user_id)).one_or_none()


@router.get("/{moment_id}", response_model=MomentOut)
async def get_moment(request: Request, moment_id: str, user_id: CurrentUser) -> MomentOut:
    context = get_context(request)
    moment = await asyncio.to_thread(_get, context, user_id, parse_moment_id(moment_id))
    if moment is None:
        raise HTTPException(status_code=404, detail="moment not found")
    return to_out(context, moment)


def _delete_row(context: ApiContext, user_id: str, moment_id: uuid.UUID) -> None:
    with Session(context.engine) as session, session.begin():
        session.execute(delete(Moment).where(Moment.id == moment_id, Moment.user_id == user_id))


@router.delete("/{moment_id}", status_code=204)
async def delete_moment(request: Request, moment_id: str, user_id: CurrentUser) -> Response:
    context = get_context(request)
    checked = parse_moment_id(moment_id)
    moment = await asyncio.to_thread(_get, context, user_id, checked)
    if moment is None:
        raise HTTPException(status_code=404, detail="moment not found")
    try:  # blobs first: if storage fails the row stays, and the delete can be retried
        for path in (moment.image_path, moment.thumbnail_path):
            await context.storage.delete(path)
    except StorageUnavailable as exc:
        raise storage_unavailable(exc) from exc
    await asyncio.to_thread(_delete_row, context, user_id, checked)
    return Response(status_code=204)
