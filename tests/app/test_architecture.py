"""momentloop_app's shape: the import contracts in pyproject.toml hold (lint-imports), and no module
imports itself back through others (type-checking-only imports excluded)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.app.import_graph import cycles
from tests.fixtures.tools import missing_tool
from tests.repo import REPO_ROOT

APP = "momentloop_app"


def app_contracts() -> list[str]:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return [contract["id"] for contract in config["contracts"] if contract["id"].startswith("app-")]


def lint_imports(*, cwd: Path, config: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).parent / "lint-imports"
    if not executable.exists():
        missing_tool("lint-imports is missing: pip install -e '.[test]' (import-linter)")
    arguments = [str(executable), "--config", str(config), "--no-cache"]
    for contract in app_contracts():
        arguments += ["--contract", contract]
    env = {"PATH": str(Path(sys.executable).parent), **({"PYTHONPATH": str(pythonpath)} if pythonpath else {})}
    return subprocess.run(arguments, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_import_contracts_hold() -> None:
    assert {"app-layers", "app-storage-layers", "app-jobs-layers"} <= set(app_contracts())
    result = lint_imports(cwd=REPO_ROOT, config=REPO_ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(app_contracts())} kept, 0 broken." in result.stdout


def test_momentloop_app_has_no_import_cycle() -> None:
    assert cycles(APP) == []


def test_a_settings_module_importing_the_api_breaks_both_checks(tmp_path: Path) -> None:
    """The checks can fail: in a copy, settings import the API (a layer broken, and a cycle)."""
    shutil.copytree(REPO_ROOT / APP, tmp_path / APP, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    base = tmp_path / APP / "core" / "settings" / "base.py"
    base.write_text(base.read_text() + "\nfrom momentloop_app.api import wiring  # noqa: E402, F401\n")
    result = lint_imports(cwd=tmp_path, config=tmp_path / "pyproject.toml", pythonpath=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "momentloop_app.core.settings.base -> momentloop_app.api.wiring" in result.stdout
    # The copy comes first on the path (before the editable install's finder), in a fresh interpreter.
    listed = subprocess.run(
        [sys.executable, "-m", "tests.app.import_graph", APP],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{REPO_ROOT}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(listed.stdout)
    assert any({"momentloop_app.core.settings.base", "momentloop_app.api.wiring"} <= set(cycle) for cycle in found)
