"""The filter that keeps session tokens out of uvicorn's log, on records shaped as uvicorn writes
them (the real server's log is checked in test_startup.py)."""

from __future__ import annotations

import logging

import pytest

from momentloop_app.api.log_redaction import REDACTED, RedactTokens, redact, redact_server_logs

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"


def _formatted(msg: str, *args: object) -> str:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, msg, args, None)
    assert RedactTokens().filter(record) is True  # redacted, never dropped
    return record.getMessage()


def test_a_socket_accepted_line_keeps_its_path_and_loses_the_token() -> None:
    line = _formatted('%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", f"/ws/exports/42?token={TOKEN}")
    assert line == f'127.0.0.1:5000 - "WebSocket /ws/exports/42?token={REDACTED}" [accepted]'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/ws/exports/1?a=b&token={TOKEN}&c=d", f"/ws/exports/1?a=b&token={REDACTED}&c=d"),
        (f"GET /x?token={TOKEN} HTTP/1.1", f"GET /x?token={REDACTED} HTTP/1.1"),
        ("/ws/exports/1?mytoken=abc", "/ws/exports/1?mytoken=abc"),  # another parameter stays
        ("/api/moments", "/api/moments"),
    ],
)
def test_only_the_token_parameter_value_is_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert _formatted(text) == expected  # in the message itself too


def _record(msg: str, args: object) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, msg, args, None)  # type: ignore[arg-type]


def test_an_access_line_keeps_the_arguments_its_formatter_unpacks() -> None:
    # uvicorn's AccessFormatter reads (client, method, path, version, status) back from the args.
    record = _record('%s - "%s %s HTTP/%s" %d', ("127.0.0.1:1", "GET", f"/x?token={TOKEN}", "1.1", 200))
    RedactTokens().filter(record)
    assert record.args == ("127.0.0.1:1", "GET", f"/x?token={REDACTED}", "1.1", 200)


def test_a_token_split_between_the_message_and_an_argument_is_redacted_in_the_written_line() -> None:
    record = _record("GET /ws?token=%s", (TOKEN,))
    RedactTokens().filter(record)
    assert record.getMessage() == f"GET /ws?token={REDACTED}" and TOKEN not in record.getMessage()


def test_mapping_bytes_and_a_trace_scope_lose_their_tokens_too() -> None:
    mapping = _record("%(path)s", ({"path": f"/ws?token={TOKEN}"},))
    RedactTokens().filter(mapping)
    assert mapping.getMessage() == f"/ws?token={REDACTED}"
    scope = {"type": "websocket", "query_string": f"token={TOKEN}".encode()}  # --log-level trace
    traced = _record("ASGI [%s] Started scope=%s", (1, scope))
    RedactTokens().filter(traced)
    assert TOKEN not in traced.getMessage() and f"token={REDACTED}" in traced.getMessage()


def test_a_malformed_record_is_left_for_logging_to_report() -> None:
    record = _record("%s and %s", ("one",))  # too few arguments: logging prints its own error
    assert RedactTokens().filter(record) is True
    with pytest.raises(TypeError):
        record.getMessage()


def test_the_filter_is_installed_once_on_uvicorns_loggers() -> None:
    redact_server_logs()
    redact_server_logs()
    for name in ("uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        assert sum(isinstance(f, RedactTokens) for f in logging.getLogger(name).filters) == 1
