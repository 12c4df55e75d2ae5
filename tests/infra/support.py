"""Helpers shared by the infra tests: synthesize in memory, snapshot one file per generated file."""

from __future__ import annotations

from pathlib import Path

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from momentloop_infra import Stack
from momentloop_infra.emit.files import Layout, render_files
from momentloop_infra.loader import load_stack
from momentloop_infra.model.project import Project
from momentloop_infra.pipeline.synthesize import synthesize

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.name for p in (REPO / "examples").glob("*.py") if not p.name.startswith("_"))


def load_example(name: str) -> Stack:
    return load_stack(f"{REPO / 'examples' / name}:stack")


def project_of(stack: Stack, profile: str = "default") -> Project:
    return synthesize(stack, profile)


def files_of(stack: Stack, profile: str = "default") -> dict[str, str]:
    """What `momentloop-synth` writes from the repository root, keyed by path under infra/ (and
    'azure.yaml', '.github/workflows/deploy.yml')."""
    layout = Layout.of(REPO / "synth_out", REPO / "azure.yaml", REPO)
    return render_files(synthesize(stack, profile), layout)


def _extension(ext: str) -> type[SingleFileSnapshotExtension]:
    return type(
        f"{ext.capitalize()}Snapshot",
        (SingleFileSnapshotExtension,),
        {"_write_mode": WriteMode.TEXT, "file_extension": ext},
    )


SNAPSHOT_EXTENSIONS = {
    ".bicep": _extension("bicep"),
    ".bicepparam": _extension("bicepparam"),
    ".json": _extension("json"),
    ".yaml": _extension("yaml"),
    ".yml": _extension("yml"),
}


def snapshot_extension(path: str) -> type[SingleFileSnapshotExtension]:
    return SNAPSHOT_EXTENSIONS[Path(path).suffix]
