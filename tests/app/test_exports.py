"""Export jobs end to end: API, PostgreSQL queue, real FFmpeg, WebSocket progress, both storage modes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from momentloop_app.db.models import ExportJob
from momentloop_app.jobs import queue
from momentloop_app.jobs.exports import temp_prefix
from tests.app.api_support import JWT_SECRET, ApiServer, api_settings, running_api, wait_for
from tests.app.media_samples import make_image
from tests.app.storage_support import BACKENDS
from tests.fixtures.postgres import url_engine


@pytest.fixture(params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path: Path, migrated_database_url: str) -> Iterator[ApiServer]:
    azurite = request.getfixturevalue("azurite") if request.param == "azure" else None
    settings = api_settings(request.param, tmp_path=tmp_path, azurite=azurite, database_url=migrated_database_url)
    with running_api(settings) as server:
        yield server


def upload_images(client: httpx.Client, folder: Path, count: int) -> list[str]:
    colors = ["red", "green", "blue", "yellow", "white"]
    sizes = ["64x48", "48x96", "120x60"]
    ids = []
    for index in range(count):
        image = make_image(
            folder,
            content_type=("image/jpeg", "image/png", "image/webp")[index % 3],
            size=sizes[index % 3],
            color=colors[index % 5],
        )
        with image.open("rb") as handle:
            response = client.post("/api/moments", files={"file": (image.name, handle)})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def events(
    api: ApiServer, job_id: str, user: str = "alice", token: str | None = None
) -> tuple[list[dict[str, Any]], int | None]:
    received: list[dict[str, Any]] = []
    url = f"{api.ws_url}/ws/exports/{job_id}?token={token if token is not None else api.token(user)}"
    with connect(url, open_timeout=10) as socket:
        try:
            while True:
                received.append(json.loads(socket.recv(timeout=60)))
        except ConnectionClosed:
            pass
        code = socket.close_code
    return received, code


def probe(data: bytes, folder: Path) -> str:
    video = folder / "probe.mp4"
    video.write_bytes(data)
    return subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "csv=p=0",
            str(video),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_export_streams_progress_and_produces_a_video(api: ApiServer, tmp_path: Path) -> None:
    with api.client("alice") as client:
        ids = upload_images(client, tmp_path, 3)
        created = client.post("/api/exports", json={"moment_ids": ids})
        assert created.status_code == 202
        assert created.json()["status"] == "queued"
        job_id = created.json()["id"]
        received, code = events(api, job_id)
        assert code == 1000
        assert received[-1]["status"] == "done" and received[-1]["progress"] == 100
        progress = [event["progress"] for event in received]
        assert progress == sorted(progress)
        state = client.get(f"/api/exports/{job_id}").json()
        assert state["status"] == "done" and state["progress"] == 100 and state["error"] is None
        video = client.get(state["video_url"])
        assert video.status_code == 200
        assert probe(video.content, tmp_path) == "h264,160,120"

        # A late client gets the final state at once, then the close.
        late, late_code = events(api, job_id)
        # (the video's link is signed at each answer: same file, its expiry may have moved on a step)
        assert [{**event, "video_url": event["video_url"].partition("?")[0]} for event in late] == [
            {"status": "done", "progress": 100, "video_url": state["video_url"].partition("?")[0]}
        ]
        assert late_code == 1000


def test_sockets_and_reads_are_refused_without_the_owners_token(api: ApiServer, tmp_path: Path) -> None:
    with api.client("alice") as alice, api.client("mallory") as mallory:
        ids = upload_images(alice, tmp_path, 1)
        job_id = alice.post("/api/exports", json={"moment_ids": ids}).json()["id"]
        assert mallory.get(f"/api/exports/{job_id}").status_code == 404
        assert alice.get(f"/api/exports/{uuid.uuid4()}").status_code == 404
        assert alice.post("/api/exports", json={"moment_ids": []}).status_code == 422
        assert alice.post("/api/exports", json={"moment_ids": [str(uuid.uuid4())]}).status_code == 404
    forged = "x.y.z"
    for token, expected in ((forged, 4401), ("", 4401), (api.token("mallory"), 4404)):
        received, code = events(api, job_id, token=token)
        assert (received, code) == ([], expected)
    received, code = events(api, str(uuid.uuid4()))
    assert (received, code) == ([], 4404)


def test_a_job_abandoned_by_a_dead_replica_is_finished_by_another(api: ApiServer, tmp_path: Path) -> None:
    with api.client("alice") as client:
        ids = upload_images(client, tmp_path, 2)
    assert api.settings.database.database_url is not None
    engine = url_engine(api.settings.database.database_url)
    try:
        # A replica claimed the job, then vanished (scaled to zero, crashed): its lease runs out.
        with Session(engine) as session, session.begin():
            job = queue.enqueue_export(session, user_id="alice", moment_ids=[uuid.UUID(i) for i in ids])
            job.status, job.attempts, job.locked_by = "running", 1, "replica-that-died"
            job.locked_until = datetime.now(UTC) + timedelta(seconds=1)
            job_id = job.id
        time.sleep(0.5)
        assert queue.job_state(engine, job_id, user_id="alice").status == "running"  # type: ignore[union-attr]
        with api.client("alice") as client:
            state = wait_for(
                lambda: (s := client.get(f"/api/exports/{job_id}").json())["status"] in ("done", "failed") and s,
                timeout=30,
            )
        assert state["status"] == "done", state
        with Session(engine) as session:
            assert session.get_one(ExportJob, job_id).attempts == 2
    finally:
        engine.dispose()


def _ffmpeg_pids(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline and cmdline[0].endswith(b"ffmpeg") and any(marker.encode() in arg for arg in cmdline):
            pids.append(int(entry.name))
    return pids


def test_twenty_image_export_then_killed_ffmpeg_fails_cleanly(
    tmp_path: Path, migrated_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Local mode, larger frames: one export completes with streamed progress; in a second, FFmpeg is
    killed mid-way: the job is `failed`, `exports/` holds no partial file, the temp folder is empty."""
    work_tmp = tmp_path / "tmpdir"
    work_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work_tmp))  # what TMPDIR sets, for this process
    settings = api_settings(
        "local",
        tmp_path=tmp_path,
        azurite=None,
        database_url=migrated_database_url,
        export_width=640,
        export_height=360,
        export_fps=25,
        export_seconds_per_image=1.0,
    )
    with running_api(settings) as api, api.client("alice") as client:
        ids = upload_images(client, tmp_path, 20)
        first = client.post("/api/exports", json={"moment_ids": ids}).json()["id"]
        received, code = events(api, first)
        assert code == 1000 and received[-1]["status"] == "done"
        assert len({event["progress"] for event in received if event["status"] == "running"}) >= 3
        assert list(work_tmp.iterdir()) == []

        second = client.post("/api/exports", json={"moment_ids": ids}).json()["id"]
        pids = wait_for(lambda: _ffmpeg_pids(temp_prefix(uuid.UUID(second))), timeout=30, interval=0.01)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        received, code = events(api, second)
        assert code == 1000
        assert received[-1]["status"] == "failed"
        state = client.get(f"/api/exports/{second}").json()
        assert state["status"] == "failed" and "killed by signal SIGKILL" in state["error"]
        assert state["video_url"] is None
        exports = sorted(path.name for path in (settings.storage.storage_local_root / "exports").rglob("*"))
        assert exports == [f"{first}.mp4"]
        wait_for(lambda: list(work_tmp.iterdir()) == [], timeout=10)


def test_worker_process_runs_jobs_and_stops_on_sigterm(tmp_path: Path, migrated_database_url: str) -> None:
    settings = api_settings(
        "local", tmp_path=tmp_path, azurite=None, database_url=migrated_database_url, export_workers=0
    )
    env = {
        **os.environ,
        "DATABASE_URL": migrated_database_url,
        "JWT_SECRET": JWT_SECRET,
        "STORAGE_BACKEND": "local",
        "STORAGE_LOCAL_ROOT": str(settings.storage.storage_local_root),
        "EXPORT_WIDTH": "160",
        "EXPORT_HEIGHT": "120",
        "EXPORT_FPS": "10",
        "EXPORT_SECONDS_PER_IMAGE": "0.5",
        "JOB_POLL_SECONDS": "0.1",
    }
    with running_api(settings) as api, api.client("alice") as client:
        ids = upload_images(client, tmp_path, 2)
        job_id = client.post("/api/exports", json={"moment_ids": ids}).json()["id"]
        time.sleep(0.5)
        assert client.get(f"/api/exports/{job_id}").json()["status"] == "queued"  # no worker in the API
        worker = subprocess.Popen(
            [sys.executable, "-m", "momentloop_app.jobs.cli"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            received, code = events(api, job_id)
            assert received[-1]["status"] == "done" and code == 1000
        finally:
            worker.send_signal(signal.SIGTERM)
            _, stderr = worker.communicate(timeout=30)
        assert worker.returncode == 0, stderr.decode()
