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


def test_the_filter_is_installed_once_on_uvicorns_loggers() -> None:
    redact_server_logs()
    redact_server_logs()
    for name in ("uvicorn.error", "uvicorn.access"):
        assert sum(isinstance(f, RedactTokens) for f in logging.getLogger(name).filters) == 1
