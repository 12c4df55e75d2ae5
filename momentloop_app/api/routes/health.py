"""``GET /healthz`` (the process answers) and ``GET /readyz`` (its dependencies answer).

Readiness runs every check in ``app.state.readiness_checks`` concurrently, each with a time limit;
other parts of the app add theirs (``ReadinessCheck("database", ping)``) in ``create_app``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from momentloop_app.api.deps import SettingsDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


@dataclass(frozen=True, slots=True)
class ReadinessCheck:
    """A named dependency check: returns when usable, raises otherwise; ``failure`` gives the word
    ``/readyz`` reports for an error (default ``unavailable``)."""

    name: str
    check: Callable[[], Awaitable[None]]
    failure: Callable[[Exception], str] | None = None


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz(request: Request, settings: SettingsDep) -> JSONResponse:
    checks: list[ReadinessCheck] = list(request.app.state.readiness_checks)
    results = await asyncio.gather(*(_run(check, settings.health.readiness_timeout_seconds) for check in checks))
    report = {check.name: result for check, result in zip(checks, results, strict=True)}
    ready = all(result == "ok" for result in results)
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": report},
        status_code=200 if ready else 503,
    )


async def _run(check: ReadinessCheck, timeout: float) -> str:
    """``ok``, or the failure's word; the detail goes to the log only."""
    try:
        await asyncio.wait_for(check.check(), timeout)
    except Exception as error:  # any failure means "not ready"
        logger.warning("readiness check %r failed: %s", check.name, error or type(error).__name__)
        return check.failure(error) if check.failure else "unavailable"
    return "ok"
