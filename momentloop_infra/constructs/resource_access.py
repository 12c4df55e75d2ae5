"""A Resource's role assignments past what its module holds: access modules beside it.

A Resource's module holds its resources and the role assignments granted on them. Past ARM's 800
deployments in it (hundreds of apps granted on one namespace, or a role on each of hundreds of
queues), the assignments go to access modules of at most MAX_GRANTS_PER_MODULE each, an app's all
in one. Each declares the resources it grants on `existing` (a child by its parent and name),
takes the apps' principal ids as one object, and deploys after the Resource's module; each app
waits on the one holding its grants, as it does on a built-in target's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import attrs

from momentloop_infra.bicep.expr import ref
from momentloop_infra.construct import Node
from momentloop_infra.constructs.connection import RoleGrant
from momentloop_infra.constructs.plan import MAX_GRANTS_PER_MODULE, Plan
from momentloop_infra.errors import Problem
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.arm_limits import MAX_RESOURCES
from momentloop_infra.model.records import BicepFile, Param
from momentloop_infra.model.records import Resource as ResourceRecord
from momentloop_infra.model.resources import role_assignment


class Member(Protocol):
    """What this module reads of a Resource (constructs/resource.py, which imports this one)."""

    parent: Any  # the Resource it is declared inside, or None
    type_name: str

    @property
    def node(self) -> Node: ...

    @property
    def symbol(self) -> str: ...

    @property
    def local_symbol(self) -> str: ...

    def lineage(self) -> Sequence[Member]: ...

    def resources(self) -> Sequence[Member]: ...

    def resolve(self, profile: str) -> tuple[Any, list[Problem]]: ...


PRINCIPAL_IDS = Param("principalIds", "object", description="Principal id of each granted app's identity, by app.")


@attrs.frozen(repr=False)
class AccessChunks(FieldRepr):
    """The grants on a top-level Resource and its children that go to access modules, a list per
    module (none when its own module holds them all), and which one holds each app's."""

    chunks: tuple[tuple[RoleGrant, ...], ...] = ()
    holder: dict[int, int] = attrs.field(factory=dict)  # id(app) -> index into chunks


def access_chunks(top: Member, plan: Plan) -> AccessChunks:
    """The access modules' shares of the grants on `top` and its children (worked out once per plan)."""
    return plan.once(("resource-access", id(top)), lambda: _chunks(top, plan))


def _chunks(top: Member, plan: Plan) -> AccessChunks:
    members = top.resources()
    grants = [g for m in members for g in plan.grants_on(m)]
    if len(members) + len(grants) <= MAX_RESOURCES:
        return AccessChunks()
    by_app: dict[int, list[RoleGrant]] = {}
    for grant in grants:
        by_app.setdefault(id(grant.principal), []).append(grant)
    chunks: list[list[RoleGrant]] = [[]]
    holder: dict[int, int] = {}
    for app, held in by_app.items():
        if chunks[-1] and len(chunks[-1]) + len(held) > MAX_GRANTS_PER_MODULE:
            chunks.append([])
        chunks[-1].extend(held)
        holder[app] = len(chunks) - 1
    return AccessChunks(tuple(tuple(c) for c in chunks), holder)


def access_symbol(top: Member, index: int) -> str:
    """main.bicep's symbol of the access module at `index` (numbered from 2, the Resource's own
    module being the first to hold grants)."""
    return f"{top.symbol}Access{index + 2}"


def access_file(top: Member, grants: tuple[RoleGrant, ...], plan: Plan) -> tuple[BicepFile, dict[str, object]]:
    """The access module holding `grants` on `top` and its children, and what main.bicep passes it
    besides the name."""
    members = {id(m): m for m in top.resources()}
    targets: dict[int, Member] = {}
    for grant in grants:
        for member in reversed(members[id(grant.target)].lineage()):  # parents first
            targets.setdefault(id(member), member)
    existing = [_existing(member, plan) for member in targets.values()]
    assignments: list[ResourceRecord] = []
    ids: dict[str, object] = {}
    for grant in grants:
        member, app = members[id(grant.target)], grant.principal
        prefix = "" if member is top else member.local_symbol[:1].upper() + member.local_symbol[1:]
        principal = ref(PRINCIPAL_IDS.name).prop(app.symbol)
        symbol = f"{app.symbol}{prefix}{grant.role.symbol_suffix}"
        assignments.append(role_assignment(symbol, member.local_symbol, principal, grant.role, app.node.path))
        ids.setdefault(app.symbol, app.identity_output("principalId"))
    name = Param("name", "string", description="The name of the resource the roles are granted on.")
    return BicepFile(params=(name, PRINCIPAL_IDS), resources=(*existing, *assignments)), {PRINCIPAL_IDS.name: ids}


def _existing(member: Member, plan: Plan) -> ResourceRecord:
    """`member` declared `existing`: the top-level one by the module's name, a child by its parent."""
    settings = member.resolve(plan.profile)[0]
    type_ref = settings.type if settings is not None else f"{member.type_name}@"
    type_, _, version = type_ref.partition("@")
    if member.parent is None:
        body: dict[str, object] = {"name": ref("name")}
    else:
        name = settings.name if settings is not None and settings.name else member.node.id
        body = {"parent": ref(member.parent.local_symbol), "name": name}
    return ResourceRecord(member.local_symbol, type_, version, body, existing=True, path=member.node.path)
