"""Resource: any Azure resource type as a construct (the L1 layer), checked against the bundled
Azure types.

A top-level Resource gets a module of its own, with its name (azd's abbreviation where there is
one), region and tags; a Resource whose scope is another Resource is its child (`parent:` in
Bicep, a name relative to the parent) and lives in the top-level ancestor's module. `attr()`
reads one of its properties in main.bicep terms (the module output is created for it), and
`app.connect(resource, role="...")` grants any built-in role on it, inside that module.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from momentloop_infra.bicep.expr import Expr, output, ref
from momentloop_infra.build.naming import camel, joined
from momentloop_infra.build.settings import FieldProblem, Settings, required, setting, settings_class
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.attr import Attr, attrs_in, foreign_attrs
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.connection import Connectable, Connection, Principal
from momentloop_infra.constructs.grants import MAX_PRINCIPAL_PARAMS, looped_grants
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.constructs.resource_access import PRINCIPAL_IDS, access_chunks, access_file, access_symbol
from momentloop_infra.constructs.resource_inputs import Inputs, free_name
from momentloop_infra.errors import Problem
from momentloop_infra.model.arm_limits import MAX_PARAMS
from momentloop_infra.model.records import BicepFile, BicepType, Output, Param, Suppression
from momentloop_infra.model.records import Resource as ResourceRecord
from momentloop_infra.model.resources import common_params, role_assignment
from momentloop_infra.model.type_names import name_rule_for
from momentloop_infra.validation.schema import body_properties, missing_property, property_kind

TYPE_REF = re.compile(r"^[A-Z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+(/[A-Za-z][A-Za-z0-9]*)+@\d{4}-\d{2}-\d{2}(-preview)?$")
ATTR_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$")
BICEP_TYPES: tuple[BicepType, ...] = ("string", "int", "bool", "object", "array")


SKU_PARAM = Param("skuName", "string", description="SKU name.")


def _type_ref(value: str) -> None:
    if not TYPE_REF.fullmatch(value):
        raise FieldProblem(
            "type",
            value,
            "give the type and API version as 'Microsoft.Provider/type@yyyy-mm-dd', "
            "e.g. 'Microsoft.ServiceBus/namespaces@2024-01-01'",
        )


def _sku(value: object) -> object:
    return {"name": value} if isinstance(value, str) else value


@settings_class
class ResourceSettings(Settings):
    type: str = required(check=_type_ref)
    properties: dict[str, Any] | None = None
    sku: dict[str, Any] | None = setting(default=None, before=_sku)
    kind: str | None = None
    name: str | None = None


class ResourceArgs(TypedDict, total=False):
    type: str
    properties: Mapping[str, Any] | None
    sku: str | Mapping[str, Any] | None
    kind: str | None
    name: str | None


def module_kind_of(type_: str) -> str:
    """'Microsoft.ServiceBus/namespaces' -> 'servicebus-namespaces'."""
    provider, _, rest = type_.partition("/")
    last = rest.rsplit("/", 1)[-1]
    return f"{provider.removeprefix('Microsoft.').lower()}-{re.sub(r'(?<!^)(?=[A-Z])', '-', last).lower()}"


class Resource(AzureConstruct[ResourceSettings], Connectable):
    """Any Azure resource: `Resource(stack, "bus", type="Microsoft.ServiceBus/namespaces@2024-01-01",
    sku="Standard")`; a child: `Resource(bus, "orders", type="Microsoft.ServiceBus/namespaces/queues@...")`.
    Apps connect with `app.connect(resource, role="<built-in role name>", env={...})`."""

    settings_model = ResourceSettings
    settings_args = ResourceArgs
    module_kind = "resource"
    settings_params = 1  # the SKU's name, where it has one

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
        **settings: Unpack[ResourceArgs],
    ) -> None:
        super().__init__(scope, id, settings, profiles)
        self.parent = scope if isinstance(scope, Resource) else None
        type_ref = settings.get("type")
        self.type_name = type_ref.partition("@")[0] if isinstance(type_ref, str) else ""
        self.module_kind = module_kind_of(self.type_name) if "/" in self.type_name else "resource"
        # A child is named relative to its parent: no generated name.
        self.name_rule = name_rule_for(self.type_name) if self.parent is None and "/" in self.type_name else None
        self._outputs: dict[str, tuple[str, Expr, BicepType]] = {}  # output name -> (path, value, type)
        self._scanner_skips: list[Suppression] = []

    # -- where it lives ------------------------------------------------------------------------

    @property
    def expands(self) -> bool:
        return self.parent is None

    @property
    def top(self) -> Resource:
        """The top-level Resource whose module holds this one."""
        return self if self.parent is None else self.parent.top

    @property
    def symbol(self) -> str:
        """The module symbol in main.bicep (a child's is its top-level ancestor's)."""
        return camel(self.top.node.unique_id)

    @property
    def local_symbol(self) -> str:
        """The resource's symbol inside the module."""
        return camel(self.node.unique_id)

    def lineage(self) -> list[Resource]:
        """This Resource and the Resources it is declared inside, innermost first."""
        return [self] if self.parent is None else [self, *self.parent.lineage()]

    def resources(self) -> list[Resource]:
        """This Resource and every Resource below it, in declaration order."""
        return [c for c in self.node.walk() if isinstance(c, Resource)]

    # -- references ------------------------------------------------------------------------------

    def attr(self, path: str) -> Attr:
        """One property of the deployed resource, e.g. `attr("properties.serviceBusEndpoint")`,
        `attr("name")`, `attr("id")`, usable in an app's env=, in connect(..., env=...) and in
        another resource's properties; its module gets the output, the reader waits for it."""
        if not isinstance(path, str) or not ATTR_PATH.fullmatch(path):
            self.node.add_problem("attr", path, "give a dotted property path such as 'properties.serviceBusEndpoint'")
            return Attr("''")
        type_ref = str(self.settings_values("default").get("type"))
        missing = None if path in ("id", "name", "type", "apiVersion") else missing_property(type_ref, path)
        if missing is not None:
            part, known = missing
            close = difflib.get_close_matches(part, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
            self.node.add_problem("attr", path, f"{part!r} is not a property there in {type_ref}; {hint}")
            return Attr("''")
        kind = "string" if path in ("id", "name") else property_kind(type_ref, path)
        bicep_type: BicepType = kind if kind in BICEP_TYPES else "string"
        top = self.top
        prefix = () if self.parent is None else (self.local_symbol,)
        name = joined(*prefix, *path.removeprefix("properties.").split("."))
        held = top._outputs.get(name)
        if held is not None and held[0] != f"{self.node.path}:{path}":
            name = joined(*prefix, *path.split("."))
        local = ref(self.local_symbol).prop(path)
        top._outputs[name] = (f"{self.node.path}:{path}", local, bicep_type)
        found = output(top.symbol, name)
        return Attr(found.text, found.refs, bicep_type, local=local.text, module=top.symbol, origin=self)

    # -- suppressions ------------------------------------------------------------------------------

    def suppress(self, rule_id: str, reason: str) -> None:
        """As on every construct; a Resource also takes checkov's ids ('CKV_AZURE_204'), written
        beside the resource as `// checkov:skip=...: reason`, since its body is the user's."""
        if isinstance(rule_id, str) and rule_id.startswith("CKV_"):
            if not isinstance(reason, str) or len(reason.strip()) < 10 or "\n" in reason:
                self.node.add_problem("suppress", rule_id, "give a written reason of one line, at least 10 characters")
            else:
                self._scanner_skips.append(Suppression(rule_id, reason.strip()))
            return
        super().suppress(rule_id, reason)

    # -- connections ------------------------------------------------------------------------------

    needs_role = True  # connect() to a Resource names the role it grants

    def connection_from(self, source: Principal, access: str | None, env_name: str | None) -> Connection:
        if env_name is not None:
            source.node.add_problem(
                "connect.env_name",
                env_name,
                "a Resource's connection sets no variable of its own to rename; name them with env={...}",
            )
        return Connection(source, self, access)

    # -- checks ----------------------------------------------------------------------------------

    def given_values(self, profile: str) -> list[object]:
        """What may hold attr()s of other resources in this one's body: its properties, its SKU
        and the values of its overrides, as given."""
        values = self.settings_values(profile)
        return [values.get("properties"), values.get("sku"), [value for _, value in self._overrides]]

    def reads(self, profile: str) -> list[Resource]:
        """The other top-level Resources whose outputs this one's module reads (through attr()s in
        its own or its children's bodies and overrides), in the order first read."""
        found: dict[int, Resource] = {}
        for member in self.resources():
            for attr in attrs_in(member.given_values(profile)):
                if isinstance(attr.origin, Resource) and attr.origin.top is not self:
                    found.setdefault(id(attr.origin.top), attr.origin.top)
        return list(found.values())

    def read_cycle(self, profile: str) -> list[Resource]:
        """Top-level Resources reading one another round to this one (each module waiting on the
        next: none can deploy), starting with it; empty when there is none."""
        path: list[Resource] = [self]
        seen: set[int] = {id(self)}
        pending: list[list[Resource]] = [self.reads(profile)]
        while pending:
            if not pending[-1]:
                pending.pop()
                path.pop()
                continue
            following = pending[-1].pop(0)
            if following is self:
                return path
            if id(following) not in seen:
                seen.add(id(following))
                path.append(following)
                pending.append(following.reads(profile))
        return []

    def check(self, settings: ResourceSettings, plan: Plan) -> list[Problem]:
        found: list[Problem] = []
        cycle = self.read_cycle(plan.profile)
        if cycle and self.node.path == min(r.node.path for r in cycle):  # the cycle reported once
            round_trip = " -> ".join(r.node.path for r in [*cycle, self])
            found.append(
                Problem(
                    self.node.path,
                    "attr",
                    round_trip,
                    "these resources read each other's attr()s, so each module waits on the next and none "
                    "can deploy; read in one direction only",
                )
            )
        named: dict[tuple[str, str, str], str] = {}  # (parent, type, name) -> the child named so first
        for child in self.resources():
            child_settings: ResourceSettings | None = settings
            if child is not self:
                child_settings, issues = child.resolve(plan.profile)
                found += issues
            if child_settings is not None:
                found += foreign_attrs(child, "properties", child_settings.properties)
                found += foreign_attrs(child, "sku", child_settings.sku)
                for attr in attrs_in(child.given_values(plan.profile)):
                    if isinstance(attr.origin, Resource) and child in attr.origin.lineage():
                        found.append(
                            Problem(
                                child.node.path,
                                "attr",
                                attr.origin.node.path,
                                "a resource cannot read itself or a resource declared inside it (deployed after "
                                "it, so the read is a cycle); read it from another resource or an app",
                            )
                        )
            if child_settings is not None and child.parent is not None:
                own = child_settings.name or child.node.id
                first = named.setdefault((child.parent.node.path, child.type_name, own), child.node.path)
                if first != child.node.path:
                    found.append(
                        Problem(
                            child.node.path,
                            "name",
                            own,
                            f"{first} has that name under {child.parent.node.path} already; "
                            "give each child of a resource a name of its own",
                        )
                    )
            if child_settings is not None and child.parent is not None:
                parent_type = child.parent.type_name
                if (
                    not child.type_name.startswith(f"{parent_type}/")
                    or child.type_name.count("/") != parent_type.count("/") + 1
                ):
                    found.append(
                        Problem(
                            child.node.path,
                            "type",
                            child.type_name,
                            f"a child's type is its parent's type plus one segment ('{parent_type}/<child type>'); "
                            "declare it under a parent of the right type, or at the top of the stack",
                        )
                    )
        return found

    # -- synthesis --------------------------------------------------------------------------------

    def record(self, settings: ResourceSettings, inputs: Inputs) -> ResourceRecord:
        type_, _, version = settings.type.partition("@")
        takes = body_properties(settings.type)
        body: dict[str, object] = {}
        if self.parent is not None:
            body["parent"] = ref(self.parent.local_symbol)
            body["name"] = settings.name or self.node.id
        else:
            body["name"] = ref("name")
        # Region and tags wherever the type takes them (a type not bundled: the top level only).
        if (takes is None and self.parent is None) or (takes is not None and "location" in takes):
            body["location"] = ref("location")
        if (takes is None and self.parent is None) or (takes is not None and "tags" in takes):
            body["tags"] = ref("tags")
            inputs.tags = True
        if "location" in body:
            inputs.location = True
        if settings.kind is not None:
            body["kind"] = settings.kind
        if settings.sku is not None:
            sku = inputs.lift(settings.sku)
            if self.sku_param(settings) is not None:
                sku = {**sku, "name": ref(SKU_PARAM.name)}  # type: ignore[dict-item]  # a dict lifts to one
            body["sku"] = sku
        if settings.properties is not None:
            body["properties"] = inputs.lift(settings.properties)
        record = ResourceRecord(
            self.local_symbol, type_, version, body, suppressions=tuple(self._scanner_skips), path=self.node.path
        )
        return self.apply_overrides(record, inputs.lift)

    def sku_param(self, settings: ResourceSettings) -> str | None:
        """The SKU name a top-level Resource takes as a main.bicep parameter, as every construct's
        SKU is (`azd env set BUS_SKU Premium`); None with no name, or one an override sets."""
        name = settings.sku.get("name") if settings.sku is not None else None
        overridden = any(path in ("sku", "sku.name") for path, _ in self._overrides)
        return name if self.parent is None and isinstance(name, str) and not overridden else None

    def build(self, settings: ResourceSettings, plan: Plan, synth: Synthesis) -> None:
        inputs = Inputs(self.symbol)
        records: list[ResourceRecord] = []
        grants: list[ResourceRecord] = []
        principals: dict[str, Param] = {}
        members: list[Resource] = []
        for member in self.resources():
            found = settings if member is self else member.resolve(plan.profile)[0]
            if found is not None:  # else reported by check()
                records.append(member.record(found, inputs))
                members.append(member)
        params = [p for p in common_params() if p.name == "name" or getattr(inputs, p.name)]
        arguments: dict[str, object] = {"name": self.resource_name(plan).expression()}
        if inputs.location:
            arguments["location"] = ref("location")
        if inputs.tags:
            arguments["tags"] = ref("tags")
        sku_name = self.sku_param(settings)
        if sku_name is not None:
            params.append(SKU_PARAM)
            arguments[SKU_PARAM.name] = synth.param(self, "sku", "string", sku_name, description="SKU name.")
        # A principal-id parameter per app, while they and the module's others fit in ARM's 256;
        # past MAX_PRINCIPAL_PARAMS apps (or that), each role on each resource is one loop over an
        # object of ids, or, when those objects would not fit either (a role on each of hundreds of
        # queues), every assignment reads the apps' ids from one object.
        # Past 800 deployments in this module, the grants go to access modules beside it instead.
        access = access_chunks(self, plan)
        granted = [] if access.chunks else members
        room = MAX_PARAMS - len(params) - len(inputs.params)
        apps = {id(g.principal): g.principal for m in granted for g in plan.grants_on(m)}
        pairs = len({(id(m), g.role) for m in granted for g in plan.grants_on(m)})
        looped = (len(apps) > MAX_PRINCIPAL_PARAMS or len(apps) > room) and pairs <= room
        if not looped and len(apps) > room:
            principals[PRINCIPAL_IDS.name] = PRINCIPAL_IDS
            inputs.arguments[PRINCIPAL_IDS.name] = {a.symbol: a.identity_output("principalId") for a in apps.values()}
        principal_params: dict[int, str] = {}  # app -> its parameter, named clear of the lifted values
        for member in granted:
            prefix = "" if member is self else member.local_symbol[:1].upper() + member.local_symbol[1:]
            if looped:
                ids, assignments, passed = looped_grants(
                    plan.grants_on(member), member.local_symbol, self.node.path, prefix
                )
                principals.update((p.name, p) for p in ids)
                inputs.arguments.update(passed)
                grants += assignments
                continue
            for grant in plan.grants_on(member):
                app = grant.principal
                param = principal_params.setdefault(id(app), free_name(f"{app.symbol}PrincipalId", inputs.arguments))
                principal: str | Expr = param
                if PRINCIPAL_IDS.name in principals:
                    principal = ref(PRINCIPAL_IDS.name).prop(app.symbol)
                elif param not in principals:
                    principals[param] = Param(
                        param, "string", description=f"Principal id of the identity of {app.node.path}."
                    )
                    inputs.arguments[param] = app.identity_output("principalId")
                symbol = f"{app.symbol}{prefix}{grant.role.symbol_suffix}"
                grants.append(role_assignment(symbol, member.local_symbol, principal, grant.role, app.node.path))
        file = BicepFile(
            params=(*params, *inputs.params, *principals.values()),
            resources=(*records, *grants),
            outputs=tuple(Output(name, kind, value) for name, (_, value, kind) in self._outputs.items()),
        )
        stem = plan.module_stems[self.node.path]
        synth.module(self, self.symbol, stem, file, {**arguments, **inputs.arguments})
        for index, chunk in enumerate(access.chunks):
            access_module, passed = access_file(self, chunk, plan)
            name = {"name": arguments["name"]}
            synth.module(
                self,
                access_symbol(self, index),
                f"{stem}-access-{index + 2}",
                access_module,
                {**name, **passed},
                needs=(self.symbol,),
            )

    def grant_holder(self, plan: Plan, principal: Construct) -> str:
        """The module holding `principal`'s role assignments on this Resource (or one of its
        children): the top-level Resource's own, or the access module they went to."""
        top = self.top
        index = access_chunks(top, plan).holder.get(id(principal))
        return top.symbol if index is None else access_symbol(top, index)
