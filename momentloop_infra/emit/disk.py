"""Generated files on disk: written so that a failure leaves nothing half-written, read back, compared."""

from __future__ import annotations

import difflib
import os
import shutil

from momentloop_infra.emit.files import Layout


def write_files(files: dict[str, str], layout: Layout) -> None:
    """Write `infra/` as a whole (built beside it, then swapped in) and azure.yaml by rename,
    so an interrupted run leaves the previous output intact, never a mix."""
    layout.out.mkdir(parents=True, exist_ok=True)
    # mkdir, not mkdtemp: the folder takes the umask's mode (0755 under 022), not mkdtemp's 0700.
    staging = layout.out / f".infra-new-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        written = {rel: text for rel, text in files.items() if rel != "azure.yaml"}
        for folder in sorted({(staging / rel).parent for rel in written}):
            folder.mkdir(parents=True, exist_ok=True)
        for rel, text in written.items():
            (staging / rel).write_bytes(text.encode("utf-8"))
        layout.azure_yaml.parent.mkdir(parents=True, exist_ok=True)
        yaml_tmp = layout.azure_yaml.with_name(f".{layout.azure_yaml.name}.tmp")
        yaml_tmp.write_bytes(files["azure.yaml"].encode("utf-8"))
        old = None
        if layout.infra.exists():
            old = layout.out / f".infra-old-{os.getpid()}"
            layout.infra.rename(old)
        staging.rename(layout.infra)
        yaml_tmp.replace(layout.azure_yaml)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def read_existing(layout: Layout) -> dict[str, str]:
    found: dict[str, str] = {}
    if layout.infra.is_dir():
        for path in sorted(layout.infra.rglob("*")):
            if path.is_file():
                found[path.relative_to(layout.infra).as_posix()] = path.read_text("utf-8", errors="replace")
    if layout.azure_yaml.is_file():
        found["azure.yaml"] = layout.azure_yaml.read_text("utf-8", errors="replace")
    return found


def diff(expected: dict[str, str], layout: Layout) -> list[str]:
    """Unified diff lines between what is on disk and what the stack generates now."""
    actual = read_existing(layout)
    lines: list[str] = []
    for rel in sorted(set(expected) | set(actual)):
        before, after = actual.get(rel), expected.get(rel)
        if before == after:
            continue
        shown = "azure.yaml" if rel == "azure.yaml" else f"infra/{rel}"
        lines += difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            (after or "").splitlines(keepends=True),
            fromfile=f"a/{shown}" if before is not None else "/dev/null",
            tofile=f"b/{shown}" if after is not None else "/dev/null",
        )
    return lines
