"""Stack: the root construct; synthesizes an azd project."""

from __future__ import annotations

import os
import re

import attrs

from momentloop_infra.construct import Construct


@attrs.frozen
class SynthResult:
    files: tuple[str, ...]
    resources: int
    role_assignments: int


class Stack(Construct):
    """The root of a construct tree; its id is the azd project name."""

    def __init__(self, name: str) -> None:
        super().__init__(None, name)
        if isinstance(name, str) and not re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", name):
            self.node.add_problem(
                "name", name, "azd project names are lowercase letters, digits and hyphens, 2 or more"
            )

    def synth(
        self,
        out: str | os.PathLike[str] = "synth_out",
        *,
        profile: str = "default",
        azure_yaml: str | os.PathLike[str] | None = None,
        project_root: str | os.PathLike[str] | None = None,
    ) -> SynthResult:
        """Write `out/infra/*` and azure.yaml (in `out` unless given). Raises StackError, listing
        every problem, before anything is written."""
        from momentloop_infra.synth.assemble import assemble
        from momentloop_infra.synth.output import Layout, render_files, write_files

        project = assemble(self, profile)
        layout = Layout.of(out, azure_yaml, project_root)
        files = render_files(project, layout)
        write_files(files, layout)
        return SynthResult(tuple(files), project.resource_count, project.role_assignment_count)
