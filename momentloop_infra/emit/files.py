"""Project → file texts: every generated file, keyed by its path under infra/ (and azure.yaml, and
the deploy workflow when the stack asks for one)."""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from momentloop_infra.emit.azure_yaml import ServiceEntry, render_azure_yaml
from momentloop_infra.emit.bicep_file import render_bicep
from momentloop_infra.emit.bicepparam import render_bicepparam
from momentloop_infra.emit.workflow import render_workflow
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.project import Project

AZURE_YAML = "azure.yaml"
# Beside azure.yaml, where GitHub looks for it when azure.yaml is at the repository root.
WORKFLOW = ".github/workflows/deploy.yml"


@attrs.frozen(repr=False)
class Layout(FieldRepr):
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

    @property
    def workflow(self) -> Path:
        return self.azure_yaml.parent / WORKFLOW

    def outside_infra(self, key: str) -> Path | None:
        """Where a generated file that is not under infra/ goes (azure.yaml, the workflow)."""
        return {AZURE_YAML: self.azure_yaml, WORKFLOW: self.workflow}.get(key)


class _Resolver:
    """os.path.relpath(Path.resolve(...), start) for many folders under the same parents: each
    parent is resolved once, with its own path from `start`, and a last component that is not a
    symbolic link is appended as it is (what resolve and relpath would give). POSIX only: on
    Windows resolve() also fixes case and follows junctions, so it is used as is."""

    def __init__(self, start: Path) -> None:
        self._start = start  # resolved already
        self._parents: dict[Path, tuple[Path, str]] = {}  # parent -> (resolved, relative to start)

    def relative(self, target: Path) -> str:
        if os.name != "posix" or not target.is_absolute() or ".." in target.parts or target.name in ("", "."):
            return self._from_start(target.resolve())
        known = self._parents.get(target.parent)
        if known is None:
            real = target.parent.resolve()
            known = self._parents[target.parent] = (real, os.path.relpath(real, self._start))
        real_parent, parent_from_start = known
        candidate = real_parent / target.name
        try:
            link = candidate.is_symlink()
        except OSError:  # as resolve() does (strict=False): what cannot be read is taken as it is
            link = False
        if link:
            return self._from_start(candidate.resolve())
        start, folder = str(self._start), str(candidate)
        if start == folder or start.startswith(folder + "/"):  # start inside it: '..' runs, not a name
            return self._from_start(candidate)
        # The parent's path from start, then the name (relpath's own answer when start is not inside).
        return target.name if parent_from_start == "." else f"{parent_from_start}/{target.name}"

    def _from_start(self, resolved: Path) -> str:
        rel = os.path.relpath(resolved, self._start)
        return "." if rel == "." else Path(rel).as_posix()


def render_files(project: Project, layout: Layout) -> dict[str, str]:
    """Every generated file's text, keyed by its path relative to `infra/` (azure.yaml: 'azure.yaml')."""
    files = {
        "main.bicep": render_bicep(project.main),
        "main.bicepparam": render_bicepparam(project.param_values),
    }
    for path, module in project.modules.items():
        files[path] = render_bicep(module)
    abbreviations = Path(__file__).resolve().parent.parent / "data" / "abbreviations.json"
    files["abbreviations.json"] = abbreviations.read_text("utf-8").replace("\r\n", "\n")
    resolver = _Resolver(layout.azure_yaml.parent.resolve())
    services: list[ServiceEntry] = []
    for service in project.services:
        if service.image is not None:
            # A prebuilt image: azd deploys it as it is, nothing to build.
            services.append(ServiceEntry(service.name, image=service.image))
            continue
        folder = layout.project_root / (service.project if service.project is not None else service.name)
        services.append(ServiceEntry(service.name, project=resolver.relative(folder), dockerfile=service.dockerfile))
    files["azure.yaml"] = render_azure_yaml(project.name, project.stack_path, resolver.relative(layout.infra), services)
    if project.workflow is not None:
        files[WORKFLOW] = render_workflow(project, project.workflow)
    return dict(sorted(files.items()))


def render_again(files: dict[str, str], before: Project, after: Project) -> dict[str, str]:
    """`files`, rendered from `before`, with each Bicep file whose record `after` replaces (a
    resource given the comment of an honoured suppression) rendered again; `files` itself when
    there is none."""
    changed = {"main.bicep": after.main} if after.main is not before.main else {}
    changed |= {path: file for path, file in after.modules.items() if before.modules.get(path) is not file}
    if not changed:
        return files
    return {**files, **{path: render_bicep(file) for path, file in changed.items()}}
