"""Generated files on disk: written so that a failure leaves nothing half-written, read back, compared."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from momentloop_infra.emit.files import AZURE_YAML, WORKFLOW, Layout


def write_files(files: dict[str, str], layout: Layout) -> bool:
    """Write `infra/` as a whole (built beside it, then swapped in) and the files outside it
    (azure.yaml, the workflow) each by rename, so an interrupted run leaves the previous output
    intact, never a mix. Returns False, having written nothing, when the output on disk is these
    files byte for byte already: a run that changes nothing leaves every file and its time as it
    was, for the editors, watchers and build tools that go by them."""
    if on_disk(files, layout):
        return False
    layout.out.mkdir(parents=True, exist_ok=True)
    # mkdir, not mkdtemp: the folder takes the umask's mode (0755 under 022), not mkdtemp's 0700.
    staging = layout.out / f".infra-new-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    outside = [(target, text) for rel, text in files.items() if (target := layout.outside_infra(rel)) is not None]
    pending: list[tuple[Path, Path]] = []
    try:
        written = {rel: text for rel, text in files.items() if layout.outside_infra(rel) is None}
        for folder in sorted({(staging / rel).parent for rel in written}):
            folder.mkdir(parents=True, exist_ok=True)
        for rel, text in written.items():
            (staging / rel).write_bytes(text.encode("utf-8"))
        for target, text in outside:
            if target.is_dir():
                # Found now, before anything is swapped in: a rename onto it would fail halfway.
                raise IsADirectoryError(f"{target} is a folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(text.encode("utf-8"))
            pending.append((tmp, target))
        old = None
        if layout.infra.exists():
            old = layout.out / f".infra-old-{os.getpid()}"
            layout.infra.rename(old)
        staging.rename(layout.infra)
        for tmp, target in pending:
            tmp.replace(target)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
    return True


def on_disk(files: dict[str, str], layout: Layout) -> bool:
    """Whether the output on disk is exactly `files`: infra/ holding them and nothing else, every
    file byte for byte (line endings too), and each file outside infra/ likewise."""
    inside = [rel for rel in files if layout.outside_infra(rel) is None]
    folders = {parent.as_posix() for rel in inside for parent in Path(rel).parents if parent != Path()}
    try:
        if not layout.infra.is_dir() or layout.infra.is_symlink():
            return False
        found = {path.relative_to(layout.infra).as_posix() for path in layout.infra.rglob("*")}
        if found != set(inside) | folders:
            return False
        for rel, text in files.items():
            target = layout.outside_infra(rel) or layout.infra / rel
            if target.is_symlink() or not target.is_file() or target.read_bytes() != text.encode("utf-8"):
                return False
    except OSError:  # unreadable: written again, as if different
        return False
    return True


def read_existing(layout: Layout, outside: tuple[str, ...] = (AZURE_YAML,)) -> dict[str, str]:
    """The generated files on disk: infra/ whole, and those of `outside` that exist."""
    found: dict[str, str] = {}
    if layout.infra.is_dir():
        for path in sorted(layout.infra.rglob("*")):
            if path.is_file():
                found[path.relative_to(layout.infra).as_posix()] = path.read_text("utf-8", errors="replace")
    for key in outside:
        target = layout.outside_infra(key)
        if target is not None and target.is_file():
            found[key] = target.read_text("utf-8", errors="replace")
    return found


def diff(expected: dict[str, str], layout: Layout) -> list[str]:
    """Unified diff lines between what is on disk and what the stack generates now."""
    # A workflow is compared only when the stack generates one: a hand-written deploy.yml of a
    # stack without the option is not ours to report.
    actual = read_existing(layout, (AZURE_YAML, WORKFLOW) if WORKFLOW in expected else (AZURE_YAML,))
    lines: list[str] = []
    for rel in sorted(set(expected) | set(actual)):
        before, after = actual.get(rel), expected.get(rel)
        if before == after:
            continue
        shown = rel if layout.outside_infra(rel) is not None else f"infra/{rel}"
        lines += difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            (after or "").splitlines(keepends=True),
            fromfile=f"a/{shown}" if before is not None else "/dev/null",
            tofile=f"b/{shown}" if after is not None else "/dev/null",
        )
    return lines
