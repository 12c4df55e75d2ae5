"""A fresh clone passes: nothing in the project reads a file outside the repository.

The tracked files are copied into a folder with nothing beside it (no sibling folders), and the
synthesizer's `--check` and the syntax and schema validation tests run there, importing the
packages from that copy.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fresh_clone_support import REPO, copy_tracked, missing_from_a_clone, tracked_files

# Built from pieces so that this file does not match itself.
_SHARED = "shared"
OUTSIDE_READ = re.compile(
    "|".join(
        [
            re.escape("../" + _SHARED),
            re.escape(_SHARED + "/data"),
            r"parent\s*/\s*[\"']" + _SHARED + r"\b",  # a Path's parent, then the sibling
            r"[\"']\.\.[\"']\s*,\s*[\"']" + _SHARED + r"\b",  # os.path.join with ".." first
        ]
    )
)


def is_doc(path: str) -> bool:
    return path.endswith(".md") or path.startswith("docs/")


def test_no_tracked_file_reads_outside_the_repository() -> None:
    offenders: list[str] = []
    for name in tracked_files():
        path = REPO / name
        if is_doc(name) or not path.is_file():
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        offenders += [
            f"{name}:{number}: {line.strip()}"
            for number, line in enumerate(text.splitlines(), start=1)
            if OUTSIDE_READ.search(line)
        ]
    assert offenders == [], "files outside the repository are read here:\n" + "\n".join(offenders)


def test_the_guard_recognises_the_ways_of_reading_outside() -> None:
    for line in [
        'REPO.parent / "' + _SHARED + '/data/azure.yaml.schema.json"',
        'ROOT.parent / "' + _SHARED + '" / "data"',
        'os.path.join("..", "' + _SHARED + '", "x")',
        "cat ../" + _SHARED + "/seed/x.txt",
    ]:
        assert OUTSIDE_READ.search(line), line
    assert not OUTSIDE_READ.search('BlobStore(stack, "storage", containers=["' + _SHARED + '"])')


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tracked files in `<empty folder>/momentloop`."""
    return copy_tracked(tmp_path_factory.mktemp("fresh") / "momentloop")


def run_in(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(clone), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=clone, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_clone_has_nothing_beside_it(clone: Path) -> None:
    assert list(clone.parent.iterdir()) == [clone]
    assert not (clone.parent / _SHARED).exists()


def test_the_clone_imports_its_own_packages(clone: Path) -> None:
    code = "import momentloop_infra, momentloop_app; print(momentloop_infra.__file__); print(momentloop_app.__file__)"
    result = run_in(clone, "-c", code)
    assert result.returncode == 0, result.stderr
    assert [Path(line).parent.parent for line in result.stdout.splitlines()] == [clone, clone]


@pytest.mark.slow
def test_synth_check_passes_in_the_clone(clone: Path) -> None:
    result = run_in(clone, "-m", "momentloop_infra.cli", "--check")
    assert result.returncode == 0, result.stdout + result.stderr + missing_from_a_clone()
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_the_validation_tests_pass_in_the_clone(clone: Path) -> None:
    result = run_in(clone, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/validation/test_syntax.py")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:] + missing_from_a_clone()
    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout[-2000:]
    assert " skipped" not in result.stdout, result.stdout[-2000:]
