"""The Project: everything one synthesis produces, as records only (no construct), so the
emitter and validation read it knowing nothing of constructs."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.findings import Report
from momentloop_infra.model.names import ResourceName
from momentloop_infra.model.records import BicepFile, ParamValue, Resource
from momentloop_infra.model.roles import Role


@attrs.frozen(repr=False)
class Service(FieldRepr):
    """One azd service (a container app): built from `project` with `dockerfile`, or a prebuilt `image`."""

    name: str
    path: str  # the construct path
    project: str | None = None  # relative to the project root; None: the service name
    dockerfile: str = "Dockerfile"
    image: str | None = None


@attrs.frozen(repr=False)
class Grant(FieldRepr):
    """A role assignment: the identity of the construct at `principal` gets `role` on `target` (paths)."""

    role: Role
    principal: str
    target: str

    def __str__(self) -> str:
        return f"{self.role.name} for {self.principal} on {self.target}"


@attrs.frozen(repr=False)
class Workflow(FieldRepr):
    """The GitHub Actions deploy workflow: on every push to `branch` (and on demand), log in with
    OpenID Connect, `azd provision`, `azd deploy`. With `environment`, the job runs in that GitHub
    environment (and the token's subject names it instead of the branch)."""

    branch: str = "main"
    environment: str | None = None
    # Environment variables of the provision step besides the secrets, e.g. a value the workflow
    # knows better than the template's default: {'DEPLOY_REPOSITORY': '${{ github.repository }}'}.
    env: Mapping[str, str] = attrs.Factory(dict)
    identity: str | None = None  # the path of the DeployIdentity it logs in as, if the stack has one


@attrs.frozen(repr=False)
class Project(FieldRepr):
    name: str  # the stack's id: the azd project name
    stack_path: str
    profile: str
    main: BicepFile
    modules: Mapping[str, BicepFile]  # 'modules/x.bicep' -> file
    param_values: tuple[ParamValue, ...]
    services: tuple[Service, ...] = ()
    grants: tuple[Grant, ...] = ()
    names: Mapping[str, ResourceName] = attrs.Factory(dict)  # construct path -> its resource name
    suppressions: Mapping[str, Mapping[str, str]] = attrs.Factory(dict)  # construct path -> {rule: reason}
    report: Report | None = None  # the validation findings (warnings, honoured suppressions)
    workflow: Workflow | None = None  # the deploy workflow to write, when the stack asks for one

    def _deployed(self, counts: Callable[[Resource], bool]) -> int:
        """Resources deployed for which `counts` holds: main.bicep's own and every module call's,
        a module file counted once per call (and per copy of a loop, as a looped resource is once per
        copy), through grouping modules."""
        counted: dict[str, int] = {}

        def count(file: BicepFile) -> int:
            own = sum(r.copies for r in file.resources if not r.existing and counts(r))
            for call in file.modules:
                if call.file not in counted:
                    counted[call.file] = count(self.modules[call.file])
                own += counted[call.file] * call.copies
            return own

        return count(self.main)

    @property
    def resource_count(self) -> int:
        """Resources deployed (not `existing` references), the resource group included."""
        return self._deployed(lambda _: True)

    @property
    def role_assignment_count(self) -> int:
        """Role assignments deployed: the stack's grants and any a construct makes for itself
        (a DeployIdentity's own rights)."""
        return self._deployed(lambda r: r.type == "Microsoft.Authorization/roleAssignments")
