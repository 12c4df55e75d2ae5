"""Stack: the root construct; `synth()` writes its azd project."""

from __future__ import annotations

import os
import re
import warnings

import attrs

from momentloop_infra.construct import Construct
from momentloop_infra.emit.files import Layout
from momentloop_infra.errors import StackWarning
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.pipeline.run import write
from momentloop_infra.pipeline.synthesize import synthesize


@attrs.frozen(repr=False)
class SynthResult(FieldRepr):
    files: tuple[str, ...]
    resources: int
    role_assignments: int
    warnings: tuple[str, ...] = ()  # validation warnings, each also issued as a StackWarning


class Stack(Construct):
    """The root of a construct tree; its id is the azd project name.

    With `deploy_workflow`, synthesis also writes `.github/workflows/deploy.yml` beside azure.yaml:
    the GitHub Actions workflow that provisions and deploys the stack on every push, logged in as
    the stack's DeployIdentity.
    """

    def __init__(self, name: str, *, deploy_workflow: bool = False) -> None:
        super().__init__(None, name)
        self.deploy_workflow = deploy_workflow
        if not isinstance(deploy_workflow, bool):
            self.node.add_problem("deploy_workflow", deploy_workflow, "is True or False")
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
        """Write `out/infra/*` and azure.yaml (in `out` unless given), and the deploy workflow
        beside azure.yaml when the stack asks for one. Raises StackError, listing
        every problem, before anything is written."""
        project = synthesize(self, profile)
        files = write(project, Layout.of(out, azure_yaml, project_root))
        found = tuple(f"{f.path}: {f}" for f in project.report.warnings) if project.report is not None else ()
        for message in found:
            warnings.warn(message, StackWarning, stacklevel=2)
        return SynthResult(tuple(files), project.resource_count, project.role_assignment_count, found)
