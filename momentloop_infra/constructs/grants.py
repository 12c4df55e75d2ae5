"""Role assignments from connections, emitted inside the target's module (as CDK's grants live on
the resource): one principal-id parameter per app, one assignment per grant."""

from __future__ import annotations

from collections.abc import Sequence

from momentloop_infra.bicep.expr import Expr, output, ref
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.connection import RoleGrant
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.model.records import Param, Resource
from momentloop_infra.model.resources import role_assignment

# Past this many principals, a module takes their ids as one object parameter (ARM allows 256
# parameters per template); below it, one parameter each, as the MomentLoop output has.
MAX_PRINCIPAL_PARAMS = 200


def grant_resources(
    target: Construct,
    plan: Plan,
    scope_symbol: str,
    *,
    positional: bool = False,
    grants: Sequence[RoleGrant] | None = None,
) -> tuple[tuple[Param, ...], tuple[Resource, ...], dict[str, object]]:
    """For every grant on `target` (or those of `grants`, one module's share of them): a
    principal-id parameter, the role assignment, and the call argument main.bicep passes (the app
    identity's principalId, known before the app exists). `positional` names them by their order
    (`principal1Id`), not by the app, so that like targets write the same module text and can share
    one file."""
    grants = plan.grants_on(target) if grants is None else grants
    principals = {id(g.principal): g.principal for g in grants}
    params: dict[str, Param] = {}
    resources: list[Resource] = []
    arguments: dict[str, object] = {}
    grouped = len(principals) > MAX_PRINCIPAL_PARAMS
    ids: dict[str, object] = {}
    order = {key: n for n, key in enumerate(principals, start=1)}
    for grant in grants:
        app = grant.principal
        name = f"principal{order[id(app)]}" if positional else app.symbol
        param = f"{name}Id" if positional else f"{name}PrincipalId"
        if grouped:
            ids[app.symbol] = output(app.identity_symbol, "principalId")
            principal = Expr(f"principalIds.{app.symbol}", frozenset({"principalIds"}))
        else:
            if param not in params:
                who = f"the app granted role {order[id(app)]}" if positional else app.node.path
                params[param] = Param(param, "string", description=f"Principal id of the identity of {who}.")
                arguments[param] = output(app.identity_symbol, "principalId")
            principal = ref(param)
        symbol = f"{name}{grant.role.symbol_suffix}"
        resources.append(role_assignment(symbol, scope_symbol, principal, grant.role, app.node.path))
    if grouped:
        params["principalIds"] = Param("principalIds", "object", description="Principal id of each app's identity.")
        arguments["principalIds"] = ids
    return tuple(params.values()), tuple(resources), arguments
