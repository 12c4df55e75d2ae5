"""Runs one of frontend/e2e/*.mjs (a journey in Chromium driven by playwright-core) and returns the
JSON line it prints about what it saw."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.e2e.stack import Stack
from tests.frontend.node_project import FRONTEND


def run_browser_script(name: str, stack: Stack, artifacts: Path, **env: str) -> dict[str, Any]:
    script = FRONTEND / "e2e" / name
    result = subprocess.run(
        ["node", str(script)],
        cwd=FRONTEND,
        env={**os.environ, "BASE_URL": stack.url, "ARTIFACTS": str(artifacts), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    observed: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    assert result.returncode == 0, (
        f"{result.stderr[-4000:]}\nobserved: {observed}\nscreenshots: {artifacts}\n{stack.logs()}"
    )
    return observed
