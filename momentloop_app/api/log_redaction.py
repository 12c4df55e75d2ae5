"""Session tokens kept out of the server's log. The export WebSocket carries one in its query string
(`/ws/exports/{id}?token=...`: a browser cannot set headers on a WebSocket), and uvicorn writes every
socket's path with its query string at INFO, which in Azure lands in Log Analytics."""

from __future__ import annotations

import logging
import re

# The value of a `token` query parameter wherever a logged path, URL or scope holds one: after `?`
# or `&`, or at the start of a query string (uvicorn's trace log prints `b'token=...'`).
_TOKEN_VALUE = re.compile(r"(?<![\w-])(token=)[^&\s\"']+")
REDACTED = "[redacted]"
# uvicorn.asgi logs whole requests under --log-level trace.
SERVER_LOGGERS = ("uvicorn.error", "uvicorn.access", "uvicorn.asgi")


def redact(text: str) -> str:
    return _TOKEN_VALUE.sub(rf"\g<1>{REDACTED}", text)


def _redacted(value: object) -> object:
    """A logged argument without token values; one that holds none is passed on as it is."""
    if isinstance(value, str):
        return redact(value) if "token=" in value else value
    if isinstance(value, int | float) or value is None:
        return value
    text = str(value)  # what %s writes of a dict, bytes, a scope...
    return redact(text) if "token=" in text else value


class RedactTokens(logging.Filter):
    """Rewrites a record so that its message holds no token value: each argument redacted, which
    keeps the arguments uvicorn's access formatter unpacks; failing that (the token split between
    the message and an argument), the message written out and redacted, with no arguments left."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_redacted(a) for a in record.args)
        elif isinstance(record.args, dict):  # logging's one-mapping form: `%(name)s`
            record.args = {k: _redacted(v) for k, v in record.args.items()}
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            return True  # a malformed record: logging reports it as it would have
        cleaned = redact(message)
        if cleaned != message:  # a token the arguments alone did not show (`token=%s`, the value apart)
            record.msg, record.args = cleaned, ()
        return True


def redact_server_logs() -> None:
    """Install the filter on uvicorn's loggers, once however many apps a process builds."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
