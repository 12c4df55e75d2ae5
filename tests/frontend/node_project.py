"""The frontend's Node project (frontend/): its installed dependencies, npm scripts and build."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.fixtures.tools import missing_tool
from tests.repo import REPO_ROOT

FRONTEND = REPO_ROOT / "frontend"
DIST = FRONTEND / "dist"


def require_node_modules() -> None:
    """Skip (developer's shell) or fail (CI) unless npm and frontend/node_modules are installed."""
    if shutil.which("npm") is None:
        missing_tool("npm is not installed: install Node.js 20 (scripts/test.sh expects it)")
    installed = FRONTEND / "node_modules" / ".package-lock.json"
    if not installed.exists():
        missing_tool("frontend/node_modules is missing: run `npm ci` in frontend/ (scripts/test.sh does)")


def npm(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["npm", *args], cwd=FRONTEND, capture_output=True, text=True, timeout=timeout, check=False)


def build() -> Path:
    """`npm run build` (type check, then Vite); returns the folder nginx serves."""
    require_node_modules()
    result = npm("run", "build")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (DIST / "index.html").is_file(), "the build wrote no dist/index.html"
    return DIST
