"""Session tokens kept out of the server's log. The export WebSocket carries one in its query string
(`/ws/exports/{id}?token=...`: a browser cannot set headers on a WebSocket), and uvicorn writes every
socket's path with its query string at INFO, which in Azure lands in Log Analytics."""

from __future__ import annotations

import logging
import re

# The value of a `token` query parameter, wherever a logged path or URL holds one.
_TOKEN_VALUE = re.compile(r"(?<=[?&]token=)[^&\s\"]+")
REDACTED = "[redacted]"
SERVER_LOGGERS = ("uvicorn.error", "uvicorn.access")


def redact(text: str) -> str:
    return _TOKEN_VALUE.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message and string arguments with every token value replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg:
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple) and any(isinstance(a, str) and "token=" in a for a in record.args):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_server_logs() -> None:
    """Install the filter on uvicorn's loggers, once however many apps a process builds."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
