"""`scripts/dev.sh` run for real: it prints a token and URLs, serves uploads over HTTP with that
token, and on SIGINT / SIGTERM leaves no process and no data folder behind.

Local mode runs the frontend too (a small build folder given by FRONTEND_DIST, served by nginx with
the frontend's own template) and reads an env file; `--azure` runs Azurite and generates JWT_SECRET.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import jwt
import pytest

from tests.app.media_samples import make_image

REPO = Path(__file__).resolve().parents[1]
DEV_SH = REPO / "scripts" / "dev.sh"
START_TIMEOUT = 120.0


def need(available: bool, what: str) -> None:
    """Skip when a tool is missing in a developer's shell; under CI that is a failure."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing (CI installs it: scripts/test.sh)")
    pytest.skip(f"{what} is missing")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class DevRun:
    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    output: list[str] = field(default_factory=list)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.output.append(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"no line matching {pattern!r}; output:\n" + "\n".join(self.output[-60:]))

    def rest(self) -> str:
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "\n".join(self.output)


def process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) for every process."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            table[int(entry.name)] = (int(fields[1]), command)
    return table


def descendants(root: int) -> dict[int, str]:
    table = process_table()
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, command) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = command
                frontier.append(pid)
    return found


@pytest.fixture
def start_dev(tmp_path: Path, open_tmp: Path) -> Iterator[Callable[..., DevRun]]:
    # open_tmp is set up before and torn down after this fixture: its folder (dev.sh's TMPDIR) is
    # only deleted once dev.sh has stopped, or its clean-up would miss PostgreSQL.
    runs: list[DevRun] = []

    def start(*args: str, env: dict[str, str]) -> DevRun:
        process = subprocess.Popen(
            # SIGINT at its default: pytest may run with it ignored (started with & by a
            # non-interactive shell), and bash cannot trap a signal ignored at entry.
            ["env", "--default-signal=INT", "bash", str(DEV_SH), *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        run = DevRun(process)
        threading.Thread(target=run.read, daemon=True).start()
        runs.append(run)
        return run

    yield start
    for run in runs:  # a failed test still stops what it started
        if run.process.poll() is None:
            os.killpg(run.process.pid, signal.SIGTERM)
            try:
                run.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(run.process.pid, signal.SIGKILL)
                run.process.wait()


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """dev.sh's TMPDIR: a folder the `postgres` OS user can enter (pytest's are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="momentloop-devtest-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"JWT_SECRET", "DATABASE_URL", "STORAGE_BACKEND", "STORAGE_LOCAL_ROOT", "GOOGLE_CLIENT_ID"}
        and not k.startswith(("POSTGRES_", "AZURE_"))
    }
    return {
        **env,
        "BACKEND_PORT": str(free_port()),
        "FRONTEND_PORT": str(free_port()),
        "TMPDIR": str(tmp_path),
        **extra,
    }


def upload_and_fetch(base_url: str, token: str, image: Path) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        created = client.post(
            "/api/moments", headers=headers, files={"file": (image.name, image.read_bytes(), "image/jpeg")}
        )
        assert created.status_code == 201, created.text
        moment = created.json()
        listed = client.get("/api/moments", headers=headers)
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json()["items"]] == [moment["id"]]
        fetched = client.get(moment["image_url"])
        assert fetched.status_code == 200
        assert fetched.content == image.read_bytes()
        assert client.get("/api/moments").status_code == 401


def stop_and_check(run: DevRun, sig: signal.Signals, data_folder: Path) -> None:
    postmaster = int((data_folder / "pg" / "data" / "postmaster.pid").read_text().split()[0])
    children = descendants(run.process.pid)
    assert children, "dev.sh runs its services as child processes"
    status = Path(f"/proc/{run.process.pid}/status").read_text().splitlines()
    ignored = next(line for line in status if line.startswith("SigIgn:"))
    run.process.send_signal(sig)
    try:
        code = run.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        time.sleep(0.5)  # the reader thread's last lines
        pytest.fail(
            f"dev.sh did not exit within 60 s of {sig.name} ({ignored}); still running: "
            f"{descendants(run.process.pid)}; output:\n{run.rest()[-3000:]}"
        )
    output = run.rest()
    assert code == 128 + sig.value, output[-3000:]
    assert f"stopped; removed {data_folder}" in output
    assert not data_folder.exists()
    table = process_table()
    left = {pid: command for pid, command in {**children, postmaster: "postgres"}.items() if pid in table}
    assert left == {}, f"left running: {left}"
    assert [command for _, command in table.values() if str(data_folder) in command] == []
    assert list(data_folder.parent.glob("momentloop-dev.*")) == []


@pytest.mark.slow
def test_local_mode_with_frontend_and_env_file(start_dev: Callable[..., DevRun], open_tmp: Path) -> None:
    need(bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), "PostgreSQL (Debian's postgresql)")
    need(shutil.which("ffmpeg") is not None, "ffmpeg")
    need(shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists(), "nginx")
    need(shutil.which("envsubst") is not None, "envsubst (gettext-base)")
    dist = open_tmp / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>momentloop dev marker</title>\n")
    secret = "dev-script-test-secret-" + "x" * 20
    env_file = open_tmp / "dev.env"
    env_file.write_text(f"# read by dev.sh\nJWT_SECRET='{secret}'\nexport DEV_USER=alice\n")
    run = start_dev("--env-file", str(env_file), env=base_env(open_tmp, FRONTEND_DIST=str(dist)))

    assert run.wait_for(r"read (\S+)$").group(1) == str(env_file)
    data_folder = Path(run.wait_for(r"deletes (\S+)$").group(1))
    backend = run.wait_for(r"^\s+backend:\s+(http://\S+)").group(1)
    frontend = run.wait_for(r"^\s+frontend:\s+(http://\S+)").group(1)
    token = run.wait_for(r"^\s+token:\s+(\S+)$").group(1)
    assert jwt.decode(token, secret, algorithms=["HS256"])["sub"] == "alice"
    assert not [line for line in run.output if secret in line], "a secret from the env file is not printed"
    assert data_folder.parent == open_tmp and (data_folder / "storage").is_dir()

    page = httpx.get(frontend + "/", timeout=10)
    assert page.status_code == 200 and "momentloop dev marker" in page.text
    assert httpx.get(backend + "/readyz", timeout=10).status_code == 200
    upload_and_fetch(frontend, token, make_image(open_tmp))  # through nginx's proxy

    stop_and_check(run, signal.SIGINT, data_folder)


@pytest.mark.slow
def test_azure_mode_generates_a_secret_and_stops_on_sigterm(start_dev: Callable[..., DevRun], open_tmp: Path) -> None:
    need(bool(list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), "PostgreSQL (Debian's postgresql)")
    need(shutil.which("ffmpeg") is not None, "ffmpeg")
    need((REPO / "node_modules" / ".bin" / "azurite-blob").exists() and shutil.which("node") is not None, "Azurite")
    missing = open_tmp / "no-build"
    run = start_dev("--azure", env=base_env(open_tmp, FRONTEND_DIST=str(missing)))

    data_folder = Path(run.wait_for(r"deletes (\S+)$").group(1))
    backend = run.wait_for(r"^\s+backend:\s+(http://\S+)").group(1)
    assert run.wait_for(r"^\s+frontend:\s+(.*)$").group(1) == (
        f"skipped ({missing} has no build: run npm ci && npm run build in frontend/)"
    )
    assert run.wait_for(r"^\s+storage:\s+(.*)$").group(1).startswith("Azurite (in memory) at http://127.0.0.1:")
    secret = run.wait_for(r"^\s+JWT_SECRET=(\S+)").group(1)
    token = run.wait_for(r"^\s+token:\s+(\S+)$").group(1)
    assert len(secret) >= 32
    assert jwt.decode(token, secret, algorithms=["HS256"])["sub"] == "developer"
    commands = " ".join(descendants(run.process.pid).values())
    assert "azurite-blob" in commands and "uvicorn" in commands

    upload_and_fetch(backend, token, make_image(open_tmp))
    assert not (data_folder / "storage").exists(), "Azure mode keeps nothing on disk"

    stop_and_check(run, signal.SIGTERM, data_folder)


def test_bad_arguments_are_one_sentence(tmp_path: Path) -> None:
    for args, expected in [
        (["--nope"], "dev.sh: unknown argument '--nope': expected --azure, --env-file FILE or --help"),
        (["--env-file", str(tmp_path / "absent.env")], f"dev.sh: --env-file {tmp_path / 'absent.env'}: no such file"),
    ]:
        result = subprocess.run(
            ["bash", str(DEV_SH), *args], cwd=tmp_path, capture_output=True, text=True, timeout=30, check=False
        )
        assert (result.returncode, result.stderr.strip()) == (2, expected)
        assert list(tmp_path.glob("momentloop-dev.*")) == []


def test_a_malformed_env_file_is_named(tmp_path: Path) -> None:
    env_file = tmp_path / "bad.env"
    env_file.write_text("GOOD=1\nthis is not an assignment\n")
    result = subprocess.run(
        ["bash", str(DEV_SH), "--env-file", str(env_file)],
        cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp_path)}, capture_output=True, text=True, timeout=30,
        check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == f"dev.sh: {env_file}:2: expected NAME=value, got 'this is not an assignment'"
    assert list(tmp_path.glob("momentloop-dev.*")) == []


def test_the_shell_scripts_pass_shellcheck() -> None:
    need(shutil.which("shellcheck") is not None, "shellcheck (Debian's shellcheck)")
    scripts = sorted(str(path) for path in (REPO / "scripts").glob("*.sh"))
    result = subprocess.run(["shellcheck", *scripts], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout
