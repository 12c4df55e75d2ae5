"""``GET``/``HEAD /api/storage/{container}/{name}``: stream a stored file (Azure mode).

The browser never talks to Blob Storage (the account allows no public access): this route streams
the blob through the backend with the headers a media player needs — single byte ranges (206/416)
so videos seek, ``ETag``/``Last-Modified`` validators (304), and a private cache lifetime. Only
signed, unexpired links are served (:mod:`momentloop_app.api.media_urls`); any other request gets
the same 403, before storage is asked anything.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from momentloop_app.api.deps import MediaUrlsDep, SettingsDep, StorageDep
from momentloop_app.api.http_conditions import (
    ByteRange,
    UnsatisfiableRange,
    http_date,
    not_modified,
    parse_range,
    range_applies,
)
from momentloop_app.api.media_urls import refused
from momentloop_app.services.storage import (
    BlobInfo,
    InvalidStoragePath,
    RangeNotSatisfiable,
    StorageNotFound,
    StorageService,
    StorageUnavailable,
)

logger = logging.getLogger(__name__)

PREFIX = "/api/storage"
router = APIRouter(prefix=PREFIX, tags=["storage"])

# A file that changes between the validators and the read is re-read this many times.
_ATTEMPTS = 3


@router.api_route("/{path:path}", methods=["GET", "HEAD"], response_model=None)
async def get_stored_file(
    path: str, request: Request, storage: StorageDep, settings: SettingsDep, media_urls: MediaUrlsDep
) -> Response:
    if not media_urls.allows(path, request.query_params):
        return refused()
    try:
        return await _respond(path, request, storage, settings.storage.storage_proxy_cache_control)
    except InvalidStoragePath:
        return _error(400, "invalid storage path")
    except StorageNotFound:
        return _error(404, "not found")
    except StorageUnavailable:
        return _error(503, "storage is unavailable", {"Retry-After": "5"})


async def _respond(path: str, request: Request, storage: StorageService, cache_control: str) -> Response:
    headers = request.headers
    for _ in range(_ATTEMPTS):
        info = await storage.stat(path)
        base = _headers(info, cache_control)
        if not_modified(
            if_none_match=headers.get("if-none-match"),
            if_modified_since=headers.get("if-modified-since"),
            etag=info.etag,
            last_modified=info.last_modified,
        ):
            return Response(status_code=304, headers=base)
        wanted: ByteRange | None = None
        if range_applies(headers.get("if-range"), etag=info.etag, last_modified=info.last_modified):
            try:
                wanted = parse_range(headers.get("range"), info.size)
            except UnsatisfiableRange:
                return _unsatisfiable(info.size, base)
        status = 206 if wanted else 200
        length = wanted.length if wanted else info.size
        if wanted:
            base["Content-Range"] = wanted.content_range
        base["Content-Length"] = str(length)
        if request.method == "HEAD":
            return Response(status_code=status, headers=base, media_type=info.content_type)
        try:
            reader = await storage.open_read(path, start=wanted.start if wanted else 0, length=length)
        except RangeNotSatisfiable:
            continue  # the file shrank since stat: start again
        if reader.info.etag != info.etag:
            await reader.aclose()  # replaced since stat: start again with its new validators
            continue
        return StreamingResponse(
            reader.stream_and_close(), status_code=status, headers=base, media_type=info.content_type
        )
    logger.warning("storage file %r kept changing while being read", path)
    return _error(503, "storage is unavailable", {"Retry-After": "1"})


def _headers(info: BlobInfo, cache_control: str) -> dict[str, str]:
    return {
        "Accept-Ranges": "bytes",
        "ETag": info.etag,
        "Last-Modified": http_date(info.last_modified),
        "Cache-Control": cache_control,
        # User content served from the API's origin: never sniffed, never run as a page.
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }


def _unsatisfiable(size: int, base: dict[str, str]) -> Response:
    headers = {key: base[key] for key in ("Accept-Ranges", "ETag", "Last-Modified", "Cache-Control")}
    headers["Content-Range"] = f"bytes */{size}"
    return Response(status_code=416, headers=headers)


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)
