"""What a fresh clone is: the tracked files (`git ls-files`), copied into a folder of their own."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def tracked_files() -> list[str]:
    """The repository's tracked paths; skips outside a git checkout, fails under CI."""
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        reason = "not a git checkout (or git is missing): the tracked files are unknown"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    listed = subprocess.run([git, "ls-files", "-z"], cwd=REPO, check=True, capture_output=True).stdout
    return [name for name in listed.decode("utf-8").split("\0") if name]


def copy_tracked(target: Path) -> Path:
    """The tracked files as they are in the working tree, under `target` (which must not exist yet)."""
    names = tracked_files()
    target.mkdir(parents=True)
    for name in names:
        source = REPO / name
        if not source.is_file():  # deleted in the working tree, not yet committed
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    return target


def untracked_files() -> list[str]:
    """Files in the working tree that git does not track (and does not ignore): a clone lacks them."""
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"], cwd=REPO, check=False, capture_output=True, text=True
    )
    return listed.stdout.split()


def missing_from_a_clone() -> str:
    """A hint for a failure: what the working tree has that a fresh clone would not."""
    names = untracked_files()
    return f"\n(untracked here, so absent from a clone: {', '.join(names)})" if names else ""
