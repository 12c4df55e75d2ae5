"""`momentloop-synth diff` speed: the MomentLoop stack against itself at HEAD (git archive of
the repository, the stack loaded and synthesized on both sides, records compared).

1. The whole command as a process (wall time, several runs): what a user waits for.
2. The diff in-process, after the first run (imports done): what the review itself costs.

The target is no change, exit 0, under 0.5 s.
Run: .venv/bin/python benchmarks/bench_diff.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from momentloop_infra.cli import main

REPO = Path(__file__).resolve().parents[1]
SYNTH = Path(sys.executable).parent / "momentloop-synth"
RUNS = 7


def process_runs() -> list[float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = subprocess.run([str(SYNTH), "diff", "--against", "HEAD"], cwd=REPO, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        assert result.returncode == 0 and "no change" in result.stdout, result.stdout + result.stderr
    return times


def in_process_runs() -> list[float]:
    os.chdir(REPO)
    runner = CliRunner()
    runner.invoke(main, ["diff", "--against", "HEAD"])  # imports and caches warm
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = runner.invoke(main, ["diff", "--against", "HEAD"])
        times.append(time.perf_counter() - start)
        assert result.exit_code == 0 and "no change" in result.output, result.output
    return times


def show(label: str, times: list[float]) -> None:
    median, low, high = (round(x * 1000) for x in (statistics.median(times), min(times), max(times)))
    print(f"{label}: median {median} ms, min {low} ms, max {high} ms ({len(times)} runs)")


if __name__ == "__main__":
    show("momentloop-synth diff --against HEAD (process)", process_runs())
    show("diff in-process (warm)", in_process_runs())
