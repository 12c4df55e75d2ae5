"""Role assignments from connections, emitted inside the target's module (as CDK's grants live on
the resource): one principal-id parameter per app, one assignment per grant."""

from __future__ import annotations

from momentloop_infra.bicep.expr import output
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.model.records import Param, Resource
from momentloop_infra.model.resources import role_assignment


def grant_resources(
    target: Construct, plan: Plan, scope_symbol: str
) -> tuple[tuple[Param, ...], tuple[Resource, ...], dict[str, object]]:
    """For every grant on `target`: a principal-id parameter, the role assignment, and the call
    argument main.bicep passes (the app identity's principalId, known before the app exists)."""
    params: dict[str, Param] = {}
    resources: list[Resource] = []
    arguments: dict[str, object] = {}
    for grant in plan.grants_on(target):
        app = grant.principal
        param = f"{app.symbol}PrincipalId"
        if param not in params:
            params[param] = Param(param, "string", description=f"Principal id of the identity of {app.node.path}.")
            arguments[param] = output(app.identity_symbol, "principalId")
        symbol = f"{app.symbol}{grant.role.symbol_suffix}"
        resources.append(role_assignment(symbol, scope_symbol, param, grant.role, app.node.path))
    return tuple(params.values()), tuple(resources), arguments
