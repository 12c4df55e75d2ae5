"""The child-process tests of test_size_estimate.py, in a pytest process of their own.

By the time the whole suite reaches them, earlier tests have left the test process with other
threads, so a fork is (rightly) refused there and those tests skip. Here they run in a fresh
process with one thread, where every one of them must run and pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).with_name("test_size_estimate.py")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a child process is forked on POSIX only")
def test_every_child_process_test_runs_and_passes_in_a_process_with_one_thread() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(TESTS)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "skipped" not in summary and " passed" in summary, result.stdout[-3000:]
