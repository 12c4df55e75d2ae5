"""Project → file texts, and writing them so that a failure leaves nothing half-written."""

from __future__ import annotations

import difflib
import os
import posixpath
import shutil
from pathlib import Path

import attrs

from momentloop_infra.bicep.render import render_azure_yaml, render_bicep, render_bicepparam
from momentloop_infra.synth.assemble import Project


@attrs.frozen
class Layout:
    """Where the files go: `infra/` under `out`, and azure.yaml (by default in `out` too)."""

    out: Path
    azure_yaml: Path
    project_root: Path  # where app `project` folders are relative to

    @classmethod
    def of(
        cls,
        out: str | os.PathLike[str],
        azure_yaml: str | os.PathLike[str] | None = None,
        project_root: str | os.PathLike[str] | None = None,
    ) -> Layout:
        out_path = Path(out)
        yaml_path = Path(azure_yaml) if azure_yaml is not None else out_path / "azure.yaml"
        return cls(out_path, yaml_path, Path(project_root) if project_root is not None else Path.cwd())

    @property
    def infra(self) -> Path:
        return self.out / "infra"


def _relative(target: Path, start: Path) -> str:
    rel = os.path.relpath(target.resolve(), start.resolve())
    return "." if rel == "." else posixpath.join(*Path(rel).parts)


def render_files(project: Project, layout: Layout) -> dict[str, str]:
    """Every generated file's text, keyed by its path relative to `infra/` (azure.yaml: 'azure.yaml')."""
    from momentloop_infra.constructs.container_app import ContainerApp

    files = {
        "main.bicep": render_bicep(project.main),
        "main.bicepparam": render_bicepparam(project.param_values),
    }
    for path, module in project.modules.items():
        files[path] = render_bicep(module)
    abbreviations = Path(__file__).resolve().parent.parent / "data" / "abbreviations.json"
    files["abbreviations.json"] = abbreviations.read_text("utf-8").replace("\r\n", "\n")
    yaml_dir = layout.azure_yaml.parent
    services = []
    for construct in project.stack.node.walk():
        if isinstance(construct, ContainerApp):
            settings = project.plan.settings_of(construct)
            if settings.image is not None:
                # A prebuilt image: azd deploys it as it is, nothing to build.
                services.append({"name": construct.node.unique_id, "image": settings.image})
                continue
            folder = layout.project_root / (
                settings.project if settings.project is not None else construct.node.unique_id
            )
            services.append(
                {
                    "name": construct.node.unique_id,
                    "project": _relative(folder, yaml_dir),
                    "dockerfile": settings.dockerfile,
                }
            )
    files["azure.yaml"] = render_azure_yaml(
        {
            "name": project.stack.node.id,
            "stack_path": project.stack.node.path,
            "infra_path": _relative(layout.infra, yaml_dir),
            "services": services,
        }
    )
    return dict(sorted(files.items()))


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
