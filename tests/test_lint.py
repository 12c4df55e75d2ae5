"""The linters our users run pass on what we ship: ruff and mypy (strict) on our code,
actionlint on the workflows, hadolint on the Dockerfiles (each installed from PyPI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.repo import REPO_ROOT as REPO

BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_check() -> None:
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout[-5000:]


def test_ruff_format_check() -> None:
    result = run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout[-5000:]


def test_mypy_strict_on_our_packages() -> None:
    result = run(str(BIN / "mypy"), "momentloop_infra", "momentloop_app")
    assert result.returncode == 0, result.stdout[-5000:]


def test_actionlint_on_workflows() -> None:
    workflows = sorted(str(p) for p in (REPO / ".github/workflows").glob("*.yml"))
    assert workflows, "no workflow to lint"
    result = run(str(BIN / "actionlint"), *workflows)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", ["frontend/Dockerfile"])
def test_hadolint_on_the_frontend_dockerfile(dockerfile: str) -> None:
    result = run(str(BIN / "hadolint"), dockerfile)
    assert result.returncode == 0, result.stdout + result.stderr
