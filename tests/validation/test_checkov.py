"""Checkov (3.3.30, its own virtualenv) over the MomentLoop output and every example: 0 failed
checks, and every `// checkov:skip` in the output silences a check that really fails without it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.validation.conftest import REPO

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
SKIP = re.compile(r"^\s*// checkov:skip=(CKV\w+): (.+)$")

pytestmark = pytest.mark.slow


def run_checkov(directory: Path) -> dict[str, list[tuple[str, str, str]]]:
    """{'failed': [(file, resource, check id)], 'skipped': [...], 'passed': [...]} over one directory."""
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: run scripts/test.sh, which installs checkov 3.3.30")
    done = subprocess.run(
        [str(CHECKOV), "-d", str(directory), "--framework", "bicep", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    data = json.loads(done.stdout) if done.stdout.strip() else {}
    reports = data if isinstance(data, list) else [data]
    found: dict[str, list[tuple[str, str, str]]] = {"failed": [], "skipped": [], "passed": []}
    for report in reports:
        if not report:
            continue
        assert report.get("summary", {}).get("parsing_errors", 0) == 0, report["summary"]
        for kind in found:
            found[kind] += [
                (c["file_path"].lstrip("/"), c["resource"], c["check_id"])
                for c in report["results"].get(f"{kind}_checks", [])
            ]
    return found


def skips_in(directory: Path) -> set[tuple[str, str, str]]:
    """(file, resource 'Type.symbol', check id) of every skip comment, read from the text."""
    found: set[tuple[str, str, str]] = set()
    for path in directory.rglob("*.bicep"):
        resource = ""
        for line in path.read_text("utf-8").splitlines():
            declared = re.match(r"resource (\w+) '([^@']+)@", line)
            if declared:
                resource = f"{declared.group(2)}.{declared.group(1)}"
            match = SKIP.match(line)
            if match:
                assert len(match.group(2).strip()) >= 10, f"{path}: a suppression without a reason: {line}"
                found.add((path.relative_to(directory).as_posix(), resource, match.group(1)))
    return found


@pytest.fixture(scope="module")
def scanned(
    outputs: dict[str, tuple[Path, dict[str, str]]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """One checkov run over every output as generated, one over a copy without skip comments."""
    root = tmp_path_factory.mktemp("checkov")
    generated, stripped = root / "generated", root / "stripped"
    for name, (out, _) in outputs.items():
        shutil.copytree(out / "infra", generated / name)
    shutil.copytree(REPO / "synth_out" / "infra", generated / "synth_out")  # the committed output too
    shutil.copytree(generated, stripped)
    for path in stripped.rglob("*.bicep"):
        path.write_text("".join(ln for ln in path.read_text("utf-8").splitlines(True) if not SKIP.match(ln)), "utf-8")
    return {"with": run_checkov(generated), "without": run_checkov(stripped), "skips": skips_in(generated)}


def test_no_failed_checks(scanned: dict[str, dict[str, list[tuple[str, str, str]]]]) -> None:
    result = scanned["with"]
    assert result["failed"] == []
    assert result["passed"], "checkov ran no check at all: is the framework right?"


def test_every_skip_silences_a_real_failure(scanned: dict[str, object]) -> None:
    without = scanned["without"]
    skips = scanned["skips"]
    assert isinstance(without, dict) and isinstance(skips, set)
    failures = set(without["failed"])
    assert skips, "the design trips some checks on purpose (azure-facts §9); expected suppressions"
    # Each suppression corresponds to a check that fails without it, and nothing else fails.
    assert skips - failures == set(), "suppressions of checks that do not fail"
    assert failures - skips == set(), "failures without a suppression"


def test_the_design_choices_are_the_ones_suppressed(scanned: dict[str, object]) -> None:
    skips = scanned["skips"]
    assert isinstance(skips, set)
    ids = {check for _, _, check in skips}
    # azure-facts §9: LRS storage, public networks (no VNet), Basic ACR, KV purge protection off, secrets without expiry.
    assert ids == {
        "CKV_AZURE_206",
        "CKV_AZURE_59",
        "CKV_AZURE_35",
        "CKV_AZURE_139",
        "CKV_AZURE_163",
        "CKV_AZURE_166",
        "CKV_AZURE_42",
        "CKV_AZURE_110",
        "CKV_AZURE_109",
        "CKV_AZURE_189",
        "CKV_AZURE_41",
    }
