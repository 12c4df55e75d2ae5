"""Start-up as it happens in Azure, with the real processes: the backend comes up before its database
and recovers by itself, and a malformed setting stops any command with one sentence (exit 2)."""

from __future__ import annotations

import signal
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from momentloop_app.auth import mint_token
from tests.app.backend_process import (
    refused_with_one_sentence,
    run_command,
    start_backend,
    stop,
    wait_until_serving,
)
from tests.app.media_samples import make_image
from tests.app.test_config import malformed_environment
from tests.fixtures.network import free_port
from tests.fixtures.postgres import throwaway_cluster

JWT_SECRET = "startup-test-secret-that-is-at-least-32-bytes"


def _wait_for(predicate: object, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_the_backend_and_a_worker_start_before_their_database_and_recover_when_it_comes_up(tmp_path: Path) -> None:
    with throwaway_cluster(start=False) as cluster:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        settings = {
            "DATABASE_URL": cluster.server.url(),
            "JWT_SECRET": JWT_SECRET,
            "STORAGE_LOCAL_ROOT": str(tmp_path / "storage"),
            "DATABASE_RETRY_SECONDS": "0.2",
            "JOB_POLL_SECONDS": "0.2",
            "EXPORT_WORKERS": "0",  # exports run in the worker process only
            "EXPORT_WIDTH": "160",
            "EXPORT_HEIGHT": "120",
            "EXPORT_FPS": "10",
            "EXPORT_SECONDS_PER_IMAGE": "0.5",
        }
        backend = start_backend(settings, cwd=tmp_path, port=port)
        worker = run_command([sys.executable, "-m", "momentloop_app.jobs.cli"], settings, cwd=tmp_path)
        try:
            wait_until_serving(backend, base_url)
            headers = {"Authorization": f"Bearer {mint_token('alice', JWT_SECRET)}"}
            with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
                ready = client.get("/readyz")
                assert ready.status_code == 503
                assert ready.json() == {"status": "unavailable", "checks": {"storage": "ok", "database": "unreachable"}}
                for response in (client.get("/api/moments"), client.post("/api/exports", json={"moment_ids": []})):
                    assert response.status_code == 503
                    assert response.json() == {"detail": "the database is not reachable right now, try again shortly"}
                    assert response.headers["retry-after"] == "5"
                socket_token = mint_token("alice", JWT_SECRET)
                socket_url = f"ws://127.0.0.1:{port}/ws/exports/{uuid.uuid4()}?token={socket_token}"
                with connect(socket_url, open_timeout=10) as socket:
                    with pytest.raises(ConnectionClosed):
                        socket.recv(timeout=10)
                    assert socket.close_code == 1013  # try again later
                assert worker.poll() is None  # the worker waits too

                cluster.start()  # the database appears: the app connects and applies the migrations itself
                _wait_for(lambda: client.get("/readyz").status_code == 200, timeout=30)
                assert client.get("/readyz").json()["checks"] == {"storage": "ok", "database": "ok"}
                image = make_image(tmp_path, content_type="image/png")
                with image.open("rb") as handle:
                    created = client.post("/api/moments", files={"file": ("a.png", handle, "image/png")})
                assert created.status_code == 201, created.text
                assert [item["id"] for item in client.get("/api/moments").json()["items"]] == [created.json()["id"]]
                exported = client.post("/api/exports", json={"moment_ids": [created.json()["id"]]})
                assert exported.status_code == 202
                job = f"/api/exports/{exported.json()['id']}"
                _wait_for(lambda: client.get(job).json()["status"] in ("done", "failed"), timeout=60)
                assert client.get(job).json()["status"] == "done"  # run by the worker that waited
        finally:
            worker.send_signal(signal.SIGTERM)
            worker_stderr = worker.communicate(timeout=30)[1]
            backend_stderr = stop(backend)
        assert worker.returncode == 0, worker_stderr
        for stderr in (backend_stderr, worker_stderr):
            assert "Traceback" not in stderr, stderr
            assert "the database is unreachable" in stderr  # said while it waited, in one line
        # uvicorn logs the socket's path with its query string: the session token is not in the log.
        assert socket_token not in backend_stderr
        assert '"WebSocket /ws/exports/' in backend_stderr and "?token=[redacted]" in backend_stderr


def test_every_malformed_setting_stops_the_backend_with_one_sentence(tmp_path: Path) -> None:
    environment = malformed_environment()
    line = refused_with_one_sentence(
        start_backend(environment, cwd=tmp_path, port=free_port()), "momentloop: Invalid configuration: "
    )
    for name, value in environment.items():
        assert f"{name}={value!r} is invalid: " in line


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"DATABASE_URL": "postgresql://u@db:notaport/app"},
            "DATABASE_URL='postgresql://u@db:notaport/app' is invalid",
        ),
        ({"DATABASE_URL": "mysql://u@db/app"}, "the scheme 'mysql' is not supported"),
        ({"POSTGRES_HOST": "srv.postgres.database.azure.com"}, "POSTGRES_DATABASE and POSTGRES_USER are not"),
        ({"DATABASE_URL": "postgresql://u@127.0.0.1:1/app"}, "JWT_SECRET is not set"),
    ],
)
def test_database_settings_are_checked_before_anything_starts(
    tmp_path: Path, settings: dict[str, str], expected: str
) -> None:
    line = refused_with_one_sentence(start_backend(settings, cwd=tmp_path, port=free_port()), "momentloop: ")
    assert expected in line


@pytest.mark.parametrize(
    ("module", "prefix"),
    [("momentloop_app.jobs.cli", "momentloop-worker: "), ("momentloop_app.db.migrate", "momentloop-migrate: ")],
)
def test_the_worker_and_migrate_commands_refuse_malformed_settings(tmp_path: Path, module: str, prefix: str) -> None:
    malformed = {"DATABASE_URL": "not a url", "EXPORT_WORKERS": "many"}
    line = refused_with_one_sentence(run_command([sys.executable, "-m", module], malformed, cwd=tmp_path), prefix)
    assert "DATABASE_URL='not a url' is invalid" in line and "EXPORT_WORKERS='many' is invalid" in line
    line = refused_with_one_sentence(run_command([sys.executable, "-m", module], {}, cwd=tmp_path), prefix)
    assert "no database configured: set DATABASE_URL" in line
