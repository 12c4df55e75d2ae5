"""50 concurrent uploads of 5 MiB images to /api/moments in Azure mode (Azurite), real PostgreSQL.

Checks that every upload is stored (201, a row, an image blob of the right size, a thumbnail) and
none is lost, and reports the server process's peak memory (VmHWM) against its idle size.

    .venv/bin/python benchmarks/bench_uploads.py [--uploads 50] [--mib 5]

Starts its own PostgreSQL cluster, Azurite and `uvicorn momentloop_app.main:app` on loopback ports,
and removes them (and their temporary folders) when done. Needs `npm ci` (Azurite) and Debian's
`postgresql` and `ffmpeg` packages, like the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from momentloop_app.auth import mint_token  # noqa: E402
from tests.fixtures.azurite import AzuriteServer, start_azurite, stop_process  # noqa: E402
from tests.fixtures.network import free_port  # noqa: E402
from tests.fixtures.postgres import throwaway_cluster  # noqa: E402

JWT_SECRET = "benchmark-secret-that-is-at-least-32-bytes"


def make_image(folder: Path, mib: float) -> Path:
    """A real JPEG of about `mib` MiB: random noise barely compresses."""
    side = 1024
    target = folder / "big.jpg"
    while True:
        subprocess.run(
            [
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"nullsrc=s={side}x{side},geq=random(1)*255:random(2)*255:random(3)*255",
                "-frames:v",
                "1",
                "-pix_fmt",
                "yuvj444p",
                "-q:v",
                "1",
                "-f",
                "mjpeg",
                str(target),
            ],
            check=True,
        )
        size = target.stat().st_size
        if size >= mib * 1024 * 1024 * 0.97:
            return target
        side = int(side * ((mib * 1024 * 1024) / size) ** 0.5) + 16


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not found for pid {pid}")


async def run(args: argparse.Namespace, base_url: str, image: Path, pid: int) -> int:
    token = mint_token("bench-user", JWT_SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=args.uploads)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=600, limits=limits) as client:

        async def one(index: int) -> httpx.Response:
            with image.open("rb") as handle:
                return await client.post("/api/moments", files={"file": (f"img-{index}.jpg", handle, "image/jpeg")})

        idle = memory_kib(pid, "VmRSS")
        started = time.perf_counter()
        responses = await asyncio.gather(*(one(i) for i in range(args.uploads)), return_exceptions=True)
        elapsed = time.perf_counter() - started
        peak = memory_kib(pid, "VmHWM")

        ok = [r for r in responses if isinstance(r, httpx.Response) and r.status_code == 201]
        failed = [
            r if isinstance(r, Exception) else f"{r.status_code} {r.text[:200]}"
            for r in responses
            if not (isinstance(r, httpx.Response) and r.status_code == 201)
        ]
        listed = (await client.get("/api/moments", params={"limit": 100})).json()["items"]
        size = image.stat().st_size
        verified = 0
        for item in listed:
            blob = await client.head(item["image_url"])
            thumb = await client.head(item["thumbnail_url"])
            if blob.status_code == 200 and int(blob.headers["content-length"]) == size and thumb.status_code == 200:
                verified += 1

    total_mib = args.uploads * size / 2**20
    print(f"uploads: {args.uploads} x {size / 2**20:.2f} MiB = {total_mib:.0f} MiB, concurrency {args.uploads}")
    print(f"accepted (201): {len(ok)}; failed: {len(failed)}")
    for failure in failed[:5]:
        print(f"  failure: {failure}")
    print(f"rows listed: {len(listed)}; blobs verified (size + thumbnail): {verified}")
    print(f"wall time: {elapsed:.1f} s ({total_mib / elapsed:.1f} MiB/s)")
    print(
        f"server RSS idle: {idle / 1024:.0f} MiB; peak (VmHWM): {peak / 1024:.0f} MiB; "
        f"growth: {(peak - idle) / 1024:.0f} MiB"
    )
    lost = args.uploads - verified
    print("result:", "OK, all stored, none lost" if not failed and lost == 0 else f"FAILED ({lost} lost)")
    return 0 if not failed and lost == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--mib", type=float, default=5.0)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="momentloop-bench-"))
    stack = contextlib.ExitStack()
    azurite_process = server = None
    try:
        image = make_image(work, args.mib)
        pg = stack.enter_context(throwaway_cluster()).server  # stopped and removed on exit
        azurite_process, azurite_port = start_azurite(work / "azurite")
        azurite = AzuriteServer(port=azurite_port)
        port = free_port()
        env = {
            **os.environ,
            "STORAGE_BACKEND": "azure",
            "AZURE_STORAGE_CONNECTION_STRING": azurite.connection_string,
            "DATABASE_URL": pg.url("postgres"),
            "JWT_SECRET": JWT_SECRET,
            "MAX_UPLOAD_BYTES": str(int((args.mib + 1) * 2**20)),
            "EXPORT_WORKERS": "0",
            "DB_POOL_SIZE": "10",
            "DB_MAX_OVERFLOW": "50",
            "TMPDIR": str(work),
        }
        server = subprocess.Popen(
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
            env=env,
            cwd=work,
        )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not become ready")
            time.sleep(0.2)
        return asyncio.run(run(args, base_url, image, server.pid))
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        if azurite_process is not None:
            stop_process(azurite_process)
        stack.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
