"""Receive one file field of a multipart request straight to a local file, with a size limit.

The body is parsed as it arrives (python-multipart's push parser): the file never sits in memory,
the size limit stops the read as soon as it is passed, and the first bytes are available to sniff.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect
from starlette.types import Receive

MAX_OTHER_FIELDS_BYTES = 64 * 1024
#: How much of a refused body is read and dropped so that the refusal reaches the client (RequestBody).
MAX_DISCARDED_BYTES = 128 * 1024 * 1024


class UploadError(Exception):
    """The request is not an acceptable upload; `status_code` says which HTTP status fits."""

    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass
class ReceivedFile:
    path: Path
    size: int
    head: bytes
    filename: str | None


@dataclass
class _State:
    field_name: str
    target: Path
    max_bytes: int
    header_name: bytes = b""
    header_value: bytes = b""
    disposition: bytes = b""
    in_file: bool = False
    other_bytes: int = 0
    handle: BinaryIO | None = None
    received: ReceivedFile | None = None
    head: bytearray = field(default_factory=bytearray)


async def receive_file(
    body: AsyncIterator[bytes], content_type: str | None, *, field_name: str, target: Path, max_bytes: int
) -> ReceivedFile:
    """Write the part named `field_name` to `target`; `UploadError` (400, 413) for a bad request."""
    kind, params = parse_options_header(content_type or "")
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadError(
            f"the body must be multipart/form-data with the image in field {field_name!r}", status_code=400
        )
    state = _State(field_name=field_name, target=target, max_bytes=max_bytes)

    def on_part_begin() -> None:
        state.disposition = b""

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state.header_name += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state.header_value += data[start:end]

    def on_header_end() -> None:
        if state.header_name.lower() == b"content-disposition":
            state.disposition = state.header_value
        state.header_name, state.header_value = b"", b""

    def on_headers_finished() -> None:
        _, options = parse_options_header(state.disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        state.in_file = name == state.field_name
        if not state.in_file:
            return
        if state.received is not None or state.handle is not None:
            raise UploadError(f"field {state.field_name!r} appears more than once", status_code=400)
        raw_filename = options.get(b"filename")
        state.handle = state.target.open("xb")
        state.received = ReceivedFile(
            path=state.target,
            size=0,
            head=b"",
            filename=raw_filename.decode("utf-8", "replace") if raw_filename else None,
        )

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if not state.in_file:
            state.other_bytes += end - start
            if state.other_bytes > MAX_OTHER_FIELDS_BYTES:
                raise UploadError("the form's other fields are too large", status_code=413)
            return
        assert state.handle is not None and state.received is not None
        state.received.size += end - start
        if state.received.size > state.max_bytes:
            raise UploadError(f"the file is larger than the limit of {state.max_bytes} bytes", status_code=413)
        if len(state.head) < 64:
            state.head += data[start : min(end, start + 64)]
        state.handle.write(data[start:end])

    def on_part_end() -> None:
        if state.in_file and state.handle is not None:
            state.handle.close()
            state.handle = None
        state.in_file = False

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
        },
    )
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise UploadError("the multipart body is malformed", status_code=400) from exc
    finally:
        if state.handle is not None:
            state.handle.close()
    if state.received is None:
        raise UploadError(f"no file in form field {field_name!r}", status_code=400)
    state.received.head = bytes(state.head)
    return state.received


class RequestBody:
    """The request body as ASGI delivers it, remembering whether all of it has arrived.

    A server that answers (413, 400) before the client has sent its whole body closes a connection
    with unread data on it, which resets it: a proxy still sending (nginx) then reports 502 instead
    of our answer. `discard_rest` drains what is left first, so the answer gets through.
    """

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.complete = False

    async def _next(self) -> bytes:
        message = await self._receive()
        if message["type"] != "http.request":
            self.complete = True
            raise ClientDisconnect()
        self.complete = not message.get("more_body", False)
        body: bytes = message.get("body", b"")
        return body

    async def chunks(self) -> AsyncIterator[bytes]:
        while not self.complete:
            chunk = await self._next()
            if chunk:
                yield chunk

    async def discard_rest(self) -> None:
        """Read and drop the rest, up to `MAX_DISCARDED_BYTES`; past that the connection is dropped."""
        discarded = 0
        try:
            while not self.complete and discarded <= MAX_DISCARDED_BYTES:
                discarded += len(await self._next())
        except ClientDisconnect:
            return
