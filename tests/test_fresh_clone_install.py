"""The README's first command, `pip install .`, without the `app` extra.

A wheel is built from a fresh copy of the tracked files and installed, once per session, into a new
virtual environment with only the core dependencies (copied, offline, from the running environment:
the test reaches no package index). There the synthesizer works and the backend's console scripts
say in one sentence which extra to install, exit code 2, no traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import import_module, metadata
from pathlib import Path

import jwt
import pytest

from momentloop_app.entrypoints import COMMANDS
from tests.fresh_clone_support import REPO, copy_tracked

CORE = ["attrs", "click"]
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def copy_distribution(name: str, site_packages: Path, seen: set[str]) -> None:
    """Install `name` and what it requires (no extras) by copying its installed files."""
    key = name.lower().replace("_", "-")
    if key in seen:
        return
    seen.add(key)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return  # a requirement whose marker excludes this Python
    root = Path(str(dist.locate_file(""))).resolve()
    for file in dist.files or []:
        source = Path(str(dist.locate_file(file))).resolve()
        if not source.is_relative_to(root) or not source.is_file() or "__pycache__" in source.parts:
            continue  # scripts in bin/, byte-code
        destination = site_packages / source.relative_to(root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    for requirement in dist.requires or []:
        spec, _, marker = requirement.partition(";")
        found = _NAME.match(spec.strip())
        if found and "extra" not in marker:
            copy_distribution(found.group(0), site_packages, seen)


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the venv's bin folder, the source copy) after `pip install .` with no extras."""
    root = tmp_path_factory.mktemp("plain-install")
    source = copy_tracked(root / "momentloop")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(root / "wheel"), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    wheel = next((root / "wheel").glob("momentloop-*.whl"))
    subprocess.run(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    seen: set[str] = set()
    for name in CORE:
        copy_distribution(name, Path(found.stdout.strip()), seen)
    yield venv / "bin", source


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "JWT_SECRET", "DATABASE_URL"}}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_plain_install_lacks_the_app_extra(plain_install: tuple[Path, Path], tmp_path: Path) -> None:
    bin_dir, _ = plain_install
    result = run([str(bin_dir / "python"), "-c", "import jwt"], tmp_path)
    assert "ModuleNotFoundError" in result.stderr


def test_the_synthesizer_works_from_the_plain_install(plain_install: tuple[Path, Path]) -> None:
    bin_dir, source = plain_install
    result = run([str(bin_dir / "momentloop-synth"), "--check"], source)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("script", "args"),
    [("momentloop-token", ["alice"]), ("momentloop-migrate", []), ("momentloop-worker", [])],
)
def test_backend_commands_name_the_extra(
    plain_install: tuple[Path, Path], tmp_path: Path, script: str, args: list[str]
) -> None:
    bin_dir, _ = plain_install
    result = run([str(bin_dir / script), *args], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{script}: the backend's 'app' extra is not installed (missing ")
    assert lines[0].endswith("run pip install '.[app]'")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("script", sorted(COMMANDS))
def test_each_guarded_command_reaches_its_main(script: str) -> None:
    """With the extra installed, every backend console script still leads to the real command."""
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert scripts[script] == f"momentloop_app.entrypoints:{script.removeprefix('momentloop-')}"
    assert callable(import_module(COMMANDS[script]).main)


def test_the_full_install_still_mints_a_token(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "momentloop-token"
    if not script.exists():
        pytest.skip(f"{script} is not installed in this environment")
    env = {**os.environ, "JWT_SECRET": "s" * 32}
    result = subprocess.run(
        [str(script), "alice"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert jwt.decode(result.stdout.strip(), "s" * 32, algorithms=["HS256"])["sub"] == "alice"
