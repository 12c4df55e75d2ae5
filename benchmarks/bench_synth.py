"""Synthesis speed and memory.

1. The whole `momentloop-synth` process for the MomentLoop stack (wall time, several runs).
2. Generated stacks of N apps, N blob stores and their connections (N = 10, 100, 500): time to
   build, synthesize and write, per app (flat when growth is linear), and peak memory of the
   whole process (each size runs in a fresh interpreter).

Run: .venv/bin/python benchmarks/bench_synth.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SYNTH = Path(sys.executable).parent / "momentloop-synth"

GENERATED = r"""
import json, resource, sys, tempfile, time
t0 = time.perf_counter()
from momentloop_infra import (BlobStore, ContainerApp, ContainerAppsEnvironment, ContainerRegistry,
                              LogAnalytics, Stack)
n = int(sys.argv[1])
t1 = time.perf_counter()
stack = Stack("generated")
env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
registry = ContainerRegistry(stack, "registry")
for i in range(n):
    store = BlobStore(stack, f"store-{i}", containers=["files"])
    app = ContainerApp(stack, f"app-{i}", environment=env, registry=registry)
    app.connect(store, access="read_write")
    if i:
        app.connect(previous)  # each app also reads the one before it: app-to-app wiring
    previous = app
with tempfile.TemporaryDirectory() as out:
    result = stack.synth(out)
    t2 = time.perf_counter()  # before the folder is removed: cleaning up is not synthesis
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import_s": t1 - t0, "synth_s": t2 - t1, "resources": result.resources,
                  "roles": result.role_assignments, "files": len(result.files), "peak_mib": peak_kib / 1024}))
"""


FLOOR = "import click, attrs, jinja2; from pydantic import BaseModel, Field, ValidationError, model_validator"


def floor_runs(count: int) -> list[float]:
    """The same interpreter importing only the libraries synthesis is built on: the floor."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def cli_runs(count: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(count):
            start = time.perf_counter()
            subprocess.run(
                [str(SYNTH), "--app", "examples/momentloop.py:stack", "--out", tmp],
                cwd=REPO,
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    # A plain `pip install .` byte-compiles the package; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would recompile every module on every run. Measure the former.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "momentloop_infra")], check=True)
    cli_runs(2)  # warm the file cache
    times = cli_runs(15)
    floor = floor_runs(15)
    print("momentloop-synth process, MomentLoop stack (15 runs; best is the least disturbed by steal time):")
    print(
        f"  best {min(times):.3f} s  median {statistics.median(times):.3f} s  max {max(times):.3f} s  (target < 0.3 s)"
    )
    print(
        f"  floor, python importing click + attrs + jinja2 + pydantic: best {min(floor):.3f} s  "
        f"median {statistics.median(floor):.3f} s"
    )
    print()
    print("generated stacks: N apps + N blob stores, each app read-write on its store and reading the previous app")
    header = ("N", 5), ("resources", 9), ("roles", 6), ("files", 6), ("best s", 7), ("median s", 8)
    print("  " + " ".join(f"{name:>{width}}" for name, width in header) + f" {'ms/app':>7} {'peak MiB':>9}")
    for n in (10, 100, 500):
        # Fresh processes per size; the best and the median run are shown (this machine shares its
        # CPUs: steal time makes single runs noisy, the best run is the least disturbed).
        runs = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", GENERATED, str(n)], cwd=REPO, check=True, capture_output=True, text=True
                ).stdout
            )
            for _ in range(5)
        ]
        runs.sort(key=lambda run: run["synth_s"])
        best, median = runs[0], runs[len(runs) // 2]
        print(
            f"  {n:>5} {best['resources']:>9} {best['roles']:>6} {best['files']:>6} {best['synth_s']:>7.3f} "
            f"{median['synth_s']:>8.3f} {1000 * best['synth_s'] / n:>7.2f} {max(r['peak_mib'] for r in runs):>9.1f}"
        )
    print("  (targets at N=500: under 1 s and 120 MiB peak; ms/app roughly flat = linear growth)")


if __name__ == "__main__":
    main()
