"""A person's journey in a real browser (Chromium via playwright-core) through the real stack:
nginx from the frontend's template serving the build, the backend in local mode, PostgreSQL and
FFmpeg. Sign in, upload three images, see three thumbnails, export, watch the progress reach
100%, the video loads with a duration, delete one moment, sign out. Screenshots of each step go
to the artifacts folder."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.stack import Stack
from tests.frontend.node_project import FRONTEND

FLOW = FRONTEND / "e2e" / "flow.mjs"


def run_flow(stack: Stack, artifacts: Path, images: list[Path]) -> dict[str, Any]:
    env = {
        **os.environ,
        "BASE_URL": stack.url,
        "ARTIFACTS": str(artifacts),
        "IMAGES": json.dumps([str(p) for p in images]),
    }
    result = subprocess.run(
        ["node", str(FLOW)], cwd=FRONTEND, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    observed: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    assert result.returncode == 0, (
        f"{result.stderr[-4000:]}\nobserved: {observed}\nscreenshots: {artifacts}\n{stack.logs()}"
    )
    return observed


def test_sign_in_upload_export_watch_delete_sign_out(
    e2e_stack: Stack, artifacts_dir: Path, three_images: list[Path]
) -> None:
    seen = run_flow(e2e_stack, artifacts_dir, three_images)

    assert seen["problems"] == [], seen["problems"]
    assert seen["csp_violations"] == [], "the Content-Security-Policy blocked something the app loads"
    # Sign-in page in development mode.
    assert "development sign-in only" in seen["sign_in_notice"]
    assert seen["google_link"] == 0
    # Three uploads, three thumbnails that actually decoded, served through nginx from /storage/.
    assert seen["thumbnails"] == 3
    assert seen["uploaded_labels"] == 3
    assert seen["thumbnail_src"].startswith("/storage/thumbnails/")
    # The export's progress came over the WebSocket through nginx and reached 100%.
    assert seen["progress_seen"][-1] == "100%"
    assert seen["progress_value"] == "100"
    assert float(seen["video_duration"]) > 0
    assert seen["download_href"] == seen["video_src"]
    # Keyboard delete: the dialog opened on Cancel; one moment gone, also after a reload.
    assert seen["dialog_focus"] == "Cancel"
    assert seen["remaining"] == 2
    assert seen["after_reload"] == 2
    assert seen["token_after_sign_out"] is None
    for step in seen["steps"]:
        assert (artifacts_dir / f"{step}.png").stat().st_size > 5000, step

    # What the page showed is what the server holds (asked through nginx with the page's token).
    headers = {"Authorization": f"Bearer {seen['token']}"}
    listing = httpx.get(f"{e2e_stack.url}/api/moments", headers=headers, timeout=30).json()
    assert len(listing["items"]) == 2
    video = httpx.get(f"{e2e_stack.url}{seen['video_src']}", timeout=30)
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
