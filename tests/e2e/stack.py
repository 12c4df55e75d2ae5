"""The whole MomentLoop stack as processes, the way it runs in production: the real backend
(uvicorn, local storage, real PostgreSQL and FFmpeg) behind a real nginx serving the built
frontend, with the nginx config rendered from the frontend image's own template.

Used by the end-to-end tests (tests/e2e/conftest.py) and by benchmarks/bench_frontend.py.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures.network import free_port, wait_for_port
from tests.fixtures.tools import missing_tool
from tests.frontend.node_project import FRONTEND

TEMPLATE = FRONTEND / "nginx" / "default.conf.template"
IMAGE_ROOT = "root /usr/share/nginx/html;"
CHROMIUM = Path("/usr/bin/chromium")
UNPRIVILEGED_USER = "nobody"
START_TIMEOUT_SECONDS = 60.0

# The test's own nginx.conf around the rendered server block: everything in the stack's folder
# (pid, temporary files, logs), so it runs beside any system nginx and leaves nothing behind.
MAIN_CONF = """\
worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/temp/client_body;
    proxy_temp_path {dir}/temp/proxy;
    fastcgi_temp_path {dir}/temp/fastcgi;
    uwsgi_temp_path {dir}/temp/uwsgi;
    scgi_temp_path {dir}/temp/scgi;
    include {dir}/default.conf;
}}
"""


@dataclass(frozen=True)
class Stack:
    url: str  # nginx: what the browser opens
    backend_url: str
    folder: Path

    def logs(self) -> str:
        """The last lines of each process's log, for a failure message."""
        parts = []
        for name in ("backend.log", "nginx/error.log"):
            path = self.folder / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)


def nginx_binary() -> str:
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found is None:
        missing_tool("nginx is not installed: install Debian's 'nginx' package (scripts/test.sh does)")
    return found


def require_tools() -> None:
    """Skip (developer's shell) or fail (CI) when a process of the stack cannot run here."""
    nginx_binary()
    if shutil.which("envsubst") is None:
        missing_tool("envsubst is not installed: install Debian's 'gettext-base' package (scripts/test.sh does)")
    if not CHROMIUM.exists():
        missing_tool(
            "Chromium is not installed at /usr/bin/chromium: install Debian's 'chromium' (scripts/test.sh does)"
        )
    if shutil.which("ffmpeg") is None:
        missing_tool("ffmpeg is not installed: install Debian's 'ffmpeg' package (scripts/test.sh does)")


def render_template(backend_url: str, port: int, html_root: Path) -> str:
    """The image's template through `envsubst` as the image renders it, with only the root moved."""
    rendered = subprocess.run(
        ["envsubst", "${BACKEND_URL} ${FRONTEND_PORT}"],
        input=TEMPLATE.read_text(),
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "BACKEND_URL": backend_url, "FRONTEND_PORT": str(port)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if rendered.count(IMAGE_ROOT) != 1:
        raise RuntimeError(f"the template has no single {IMAGE_ROOT!r} line to point at the build")
    return rendered.replace(IMAGE_ROOT, f"root {html_root};")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextlib.contextmanager
def backend_process(
    database_url: str, folder: Path, *, jwt_secret: str, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """`uvicorn momentloop_app.main:app` in local mode; yields its URL."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GOOGLE_", "OIDC_", "AZURE_", "POSTGRES_", "STORAGE_", "DATABASE_", "EXPORT_"))
    }
    env.update(
        STORAGE_BACKEND="local",
        STORAGE_LOCAL_ROOT=str(folder / "storage"),
        DATABASE_URL=database_url,
        JWT_SECRET=jwt_secret,
        # A small, quick video: the test is about the page, not FFmpeg's speed.
        EXPORT_WIDTH="640",
        EXPORT_HEIGHT="360",
        EXPORT_SECONDS_PER_IMAGE="1",
        EXPORT_FPS="12",
        EXPORT_WORKERS="1",
        JOB_POLL_SECONDS="0.2",
    )
    env.update(extra_env or {})
    log = (folder / "backend.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "momentloop_app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=folder,  # no stray .env from the developer's checkout
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, timeout=START_TIMEOUT_SECONDS, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)
        log.close()


@contextlib.contextmanager
def nginx_process(dist: Path, backend_url: str, folder: Path, *, port: int) -> Iterator[str]:
    """Debian's nginx serving a copy of `dist` with the rendered template; yields its URL."""
    conf_dir = folder / "nginx"
    html = folder / "html"
    shutil.copytree(dist, html)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (conf_dir / "temp" / sub).mkdir(parents=True)
    (conf_dir / "default.conf").write_text(render_template(backend_url, port, html))
    (conf_dir / "nginx.conf").write_text(MAIN_CONF.format(dir=conf_dir))
    # As in the image: nginx as an unprivileged user (here `nobody` when the suite runs as root).
    as_user: list[str] = []
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", f"{UNPRIVILEGED_USER}:", str(conf_dir)], check=True)
        as_user = ["runuser", "-u", UNPRIVILEGED_USER, "--"]
    command = [
        *as_user,
        nginx_binary(),
        "-p",
        str(conf_dir),
        "-c",
        str(conf_dir / "nginx.conf"),
        "-e",
        str(conf_dir / "error.log"),
        "-g",
        "daemon off;",
    ]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejected the rendered template: {check.stderr}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=(conf_dir / "stderr.log").open("wb"))
    try:
        wait_for_port(port, timeout=START_TIMEOUT_SECONDS, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


@contextlib.contextmanager
def running_stack(database_url: str, dist: Path, *, google_issuer: str | None = None) -> Iterator[Stack]:
    """Backend and nginx in a fresh folder, stopped and removed on exit.

    With `google_issuer` (an OpenID Connect provider's issuer URL) the backend has Google sign-in
    configured against it, with the callback on nginx's origin; otherwise development sign-in.
    """
    folder = Path(tempfile.mkdtemp(prefix="momentloop-e2e-"))
    folder.chmod(0o755)  # nginx's workers read the copied build from here
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sign_in: dict[str, str] = {}
    if google_issuer:
        sign_in = {
            "GOOGLE_CLIENT_ID": "momentloop-e2e",
            "GOOGLE_CLIENT_SECRET": secrets.token_urlsafe(16),
            "OIDC_ISSUER": google_issuer,
            # No OIDC_REDIRECT_URL, as in Azure: the callback is on the origin nginx forwards.
        }
    try:
        with (
            backend_process(database_url, folder, jwt_secret=secrets.token_hex(32), extra_env=sign_in) as backend_url,
            nginx_process(dist, backend_url, folder, port=port),
        ):
            yield Stack(url=url, backend_url=backend_url, folder=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
