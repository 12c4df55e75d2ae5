"""Role assignments from connections, emitted inside the target's module (as CDK's grants live on
the resource): one principal-id parameter per app and one assignment per grant; past
MAX_PRINCIPAL_PARAMS principals, per role one object parameter and one assignment looping over it.
"""

from __future__ import annotations

from collections.abc import Sequence

from momentloop_infra.bicep.expr import Expr, output, ref
from momentloop_infra.build.naming import joined
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.connection import RoleGrant
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.model.arm_limits import MAX_PARAMS
from momentloop_infra.model.records import Param, Resource
from momentloop_infra.model.resources import role_assignment, role_assignments
from momentloop_infra.model.roles import Role

# Past this many principals, a module takes their ids as one object parameter per role (ARM allows
# 256 parameters per template) and grants each role in one loop over it; below it, one parameter
# and one assignment each, as the MomentLoop output has. So does a module whose own parameters (a
# vault's secrets) and the principals' would pass 256 together.
MAX_PRINCIPAL_PARAMS = 200


def grant_resources(
    target: Construct,
    plan: Plan,
    scope_symbol: str,
    *,
    positional: bool = False,
    grants: Sequence[RoleGrant] | None = None,
    besides: int = 0,
) -> tuple[tuple[Param, ...], tuple[Resource, ...], dict[str, object]]:
    """For every grant on `target` (or those of `grants`, one module's share of them): a
    principal-id parameter, the role assignment, and the call argument main.bicep passes (the app
    identity's principalId, known before the app exists). `positional` names them by their order
    (`principal1Id`), not by the app, so that like targets write the same module text and can share
    one file. Past MAX_PRINCIPAL_PARAMS principals, one object parameter and one looped assignment
    per role instead (`looped_grants`), the same text for any principals; likewise when they and
    the `besides` parameters the module declares already would pass ARM's 256."""
    grants = plan.grants_on(target) if grants is None else grants
    principals = {id(g.principal): g.principal for g in grants}
    if len(principals) > MAX_PRINCIPAL_PARAMS or len(principals) + besides > MAX_PARAMS:
        return looped_grants(grants, scope_symbol, target.node.path)
    params: dict[str, Param] = {}
    resources: list[Resource] = []
    arguments: dict[str, object] = {}
    order = {key: n for n, key in enumerate(principals, start=1)}
    for grant in grants:
        app = grant.principal
        name = f"principal{order[id(app)]}" if positional else app.symbol
        param = f"{name}Id" if positional else f"{name}PrincipalId"
        if param not in params:
            who = f"the app granted role {order[id(app)]}" if positional else app.node.path
            params[param] = Param(param, "string", description=f"Principal id of the identity of {who}.")
            arguments[param] = output(app.identity_symbol, "principalId")
        resources.append(
            role_assignment(f"{name}{grant.role.symbol_suffix}", scope_symbol, ref(param), grant.role, app.node.path)
        )
    return tuple(params.values()), tuple(resources), arguments


def looped_grants(
    grants: Sequence[RoleGrant], scope_symbol: str, path: str, prefix: str = ""
) -> tuple[tuple[Param, ...], tuple[Resource, ...], dict[str, object]]:
    """Per role: an object parameter of the principal ids holding it, by app symbol, and one
    assignment looping over it, on the resource `scope_symbol`; `prefix` starts their symbols
    (a module granting roles on several of its resources: `jobsAzureServiceBusDataSender...`)."""
    holders: dict[Role, dict[str, Expr]] = {}
    for grant in grants:
        app = grant.principal
        holders.setdefault(grant.role, {})[app.symbol] = output(app.identity_symbol, "principalId")
    params: list[Param] = []
    resources: list[Resource] = []
    arguments: dict[str, object] = {}
    for role, ids in holders.items():
        stem = joined(prefix, role.symbol_suffix)
        over = f"{stem}PrincipalIds"
        params.append(Param(over, "object", description=f"Principal id of each app's identity granted {role.name}."))
        arguments[over] = ids
        resources.append(role_assignments(f"{stem}Assignments", scope_symbol, over, len(ids), role, path))
    return tuple(params), tuple(resources), arguments
