"""Frontend figures: the built JavaScript's size (raw and gzip, as nginx serves it) and the time
to first thumbnail on the grid for a user with 50 moments, on the real stack of the end-to-end
tests (Debian nginx from the frontend's template, the backend in local mode, PostgreSQL, FFmpeg,
Chromium via playwright-core).

Usage: .venv/bin/python benchmarks/bench_frontend.py [--moments 50] [--loads 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.app.media_samples import make_image
from tests.e2e.stack import running_stack
from tests.fixtures.postgres import throwaway_cluster
from tests.frontend.node_project import FRONTEND, build

COLORS = ["tomato", "seagreen", "steelblue", "gold", "orchid", "slategray", "coral", "teal", "khaki", "navy"]
GZIP_LEVEL = 6  # nginx's gzip_comp_level in frontend/nginx/default.conf.template


def bundle_sizes(dist: Path) -> None:
    scripts = sorted((dist / "assets").glob("*.js"))
    raw = gzipped = 0
    for script in scripts:
        data = script.read_bytes()
        size, zipped = len(data), len(gzip.compress(data, compresslevel=GZIP_LEVEL))
        raw, gzipped = raw + size, gzipped + zipped
        print(f"  {script.name}: {size / 1024:.1f} KiB raw, {zipped / 1024:.1f} KiB gzip")
    print(f"JavaScript total: {raw / 1024:.1f} KiB raw, {gzipped / 1024:.1f} KiB gzip ({len(scripts)} file(s))")
    css = sum(len(p.read_bytes()) for p in (dist / "assets").glob("*.css"))
    print(f"CSS total: {css / 1024:.1f} KiB raw")


def seed(base_url: str, count: int) -> str:
    """Sign in and upload `count` images through nginx; returns the session token."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        token = str(client.post("/api/auth/dev", json={"name": "bench@example.org"}).json()["token"])
        headers = {"Authorization": f"Bearer {token}"}
        with tempfile.TemporaryDirectory() as folder:
            for index in range(count):
                color = COLORS[index % len(COLORS)]
                image = make_image(Path(folder), size="1024x768", color=color, name=f"m{index}.jpg")
                with image.open("rb") as handle:
                    response = client.post("/api/moments", headers=headers, files={"file": (image.name, handle)})
                response.raise_for_status()
    return token


def first_thumbnail(base_url: str, token: str, loads: int) -> dict[str, Any]:
    env = {**os.environ, "BASE_URL": base_url, "TOKEN": token, "LOADS": str(loads)}
    result = subprocess.run(
        ["node", str(FRONTEND / "e2e" / "first-thumbnail.mjs")],
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"the browser measurement failed: {result.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _median(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{statistics.median(known):.0f} ms" if known else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moments", type=int, default=50)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()

    dist = build()
    bundle_sizes(dist)
    with throwaway_cluster() as cluster:
        server = cluster.server
        database = server.create_database()
        with running_stack(server.url(database), dist) as stack:
            token = seed(stack.url, args.moments)
            figures = first_thumbnail(stack.url, token, args.loads)
    print(f"Time to first thumbnail, {args.moments} moments, {args.loads} loads each (Chromium headless, loopback):")
    for kind, label in (("cold", "fresh profile (nothing cached)"), ("warm", "reload (assets cached)")):
        times = figures[kind]
        first = times["first"]
        print(
            f"  {label}: median {statistics.median(first):.0f} ms "
            f"(min {min(first):.0f}, max {max(first):.0f}; {', '.join(f'{v:.0f}' for v in first)}); "
            f"bundle in by {_median(times['script'])}, first moments page by {_median(times['list'])}"
        )
    print(f"  thumbnails on the page after load: {figures['thumbnails']}")


if __name__ == "__main__":
    main()
