"""A person's journey in a real browser (Chromium via playwright-core) through the real stack:
nginx from the frontend's template serving the build, the backend in local mode, PostgreSQL and
FFmpeg. Sign in, upload three images, see three thumbnails, export, watch the progress reach
100%, the video loads with a duration, delete one moment, sign out. Screenshots of each step go
to the artifacts folder."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.e2e.browser_script import run_browser_script
from tests.e2e.stack import Stack


def test_sign_in_upload_export_watch_delete_sign_out(
    e2e_stack: Stack, artifacts_dir: Path, three_images: list[Path], tmp_path: Path
) -> None:
    fake = tmp_path / "holiday.jpg"
    fake.write_text("not a picture, only named like one\n")
    seen = run_browser_script(
        "flow.mjs",
        e2e_stack,
        artifacts_dir,
        IMAGES=json.dumps([str(path) for path in three_images]),
        NOT_AN_IMAGE=str(fake),
    )

    assert seen["problems"] == [], seen["problems"]
    assert seen["csp_violations"] == [], "the Content-Security-Policy blocked something the app loads"
    # Sign-in page in development mode.
    assert "development sign-in only" in seen["sign_in_notice"]
    assert seen["google_link"] == 0
    assert seen["tab_reaches_picker"] is True
    # Three uploads, three thumbnails that actually decoded, served through nginx from /storage/.
    assert seen["thumbnails"] == 3
    assert seen["uploaded_labels"] == 3
    assert seen["thumbnail_src"].startswith("/storage/thumbnails/")
    assert "signature=" in seen["thumbnail_src"]  # a signed link: <img> needs no Authorization header
    # A text file named .jpg: the backend's 415, in the page's words, and no tile for it.
    assert seen["not_an_image_error"] == (
        "holiday.jpg is not an image MomentLoop can read. Use a JPEG, PNG or WebP file."
    )
    assert seen["thumbnails_after_refusal"] == 3
    assert seen["refusal_logged"] == 1  # Chromium saw the 415 itself
    # The export's progress came over the WebSocket through nginx and reached 100%.
    assert seen["progress_seen"][-1] == "100%"
    assert len(seen["progress_seen"]) >= 2, seen["progress_seen"]  # live updates, not just the final state
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
    # The export socket's ?token= never reaches nginx's access log (the page's requests do).
    access_log = (e2e_stack.folder / "nginx" / "access.log").read_text()
    assert "/api/moments" in access_log
    assert seen["token"] not in access_log and "/ws/exports/" not in access_log
    # The same file without its signature is refused through nginx too.
    unsigned = httpx.get(f"{e2e_stack.url}{seen['video_src'].split('?')[0]}", timeout=30)
    assert unsigned.status_code == 403
