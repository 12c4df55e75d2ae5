"""What every Azure construct shares: typed settings per profile, its module, its name, overrides."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from momentloop_infra.bicep.expr import Expr, output, ref
from momentloop_infra.build.naming import camel
from momentloop_infra.build.settings import Settings, setting_names, validate_settings
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.connection import Connection, RoleGrant
from momentloop_infra.constructs.grants import grant_resources
from momentloop_infra.constructs.keyword_check import checked_init
from momentloop_infra.constructs.plan import MAX_GRANTS_PER_MODULE, Plan
from momentloop_infra.errors import Problem, StackError
from momentloop_infra.model.names import NameRule, ResourceName
from momentloop_infra.model.project import Service, Workflow
from momentloop_infra.model.records import BicepFile, Output, Param, Resource, extended
from momentloop_infra.profiles import PROFILES
from momentloop_infra.validation.rules import RULES_BY_ID

S = TypeVar("S", bound=Settings)


class AzureConstruct(Construct, Generic[S]):
    """A construct that expands into one Bicep module in main.bicep."""

    settings_model: ClassVar[type[Settings]]
    # The keyword arguments the constructor takes, for mypy (`**settings: Unpack[...]`): the same
    # names as `settings_model`'s fields, checked when the class is defined.
    settings_args: ClassVar[type[Mapping[str, Any]]]
    # Class-wide for the built-in kinds; a generic Resource sets them per instance, from its type.
    module_kind: str  # the module file stem this kind starts from, e.g. 'container-app'
    name_rule: NameRule | None = None
    # The resource of its module that role grants on this construct are scoped to (None: takes none).
    grant_scope: ClassVar[str | None] = None
    # Whether like constructs share one module file (named by module_kind) in a stack too large
    # for one file each, and how many module deployments a construct makes (its own and helpers').
    shares_module: ClassVar[bool] = False
    module_calls: ClassVar[int] = 1
    # The fewest settings parameters its build adds to main.bicep (Synthesis.param): a stack whose
    # total certainly passes 256 declares them grouped by kind from the start. Never more than it adds.
    settings_params: ClassVar[int] = 0
    # The seed's larger sizes, applied under `--profile scale-up` to settings the user left unset.
    builtin_profiles: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    _symbol: str | None = None  # `symbol`, once read

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:  # a misspelt required keyword: a Problem, not a TypeError
            setattr(cls, "__init__", checked_init(cls.__dict__["__init__"]))  # noqa: B010 (mypy: no method assignment)
        model, args = cls.__dict__.get("settings_model"), cls.__dict__.get("settings_args")
        if model is not None and args is not None:
            typed = set(args.__required_keys__ | args.__optional_keys__)
            if typed != set(setting_names(model)):
                raise TypeError(f"{cls.__name__}: settings_args and settings_model name different settings")

    def __init__(
        self,
        scope: Construct,
        id: str,
        settings: Mapping[str, Any],
        profiles: Mapping[str, Mapping[str, Any]] | None,
    ) -> None:
        if not isinstance(scope, Construct):  # a stack's root is a Stack: this one would be left out
            raise TypeError(
                f"{type(self).__name__}({scope!r}, {id!r}): the first argument is the Stack (or a construct "
                "in it) this one belongs to"
            )
        super().__init__(scope, id)
        # Every keyword goes to the settings model, which reports unknown ones as problems.
        self._given = {k: v for k, v in settings.items() if v is not None}
        self._profiles = dict(profiles or {})
        self._overrides: list[tuple[str, object]] = []
        self._suppressions: dict[str, str] = {}
        for name in self._profiles:
            if name not in PROFILES:
                self.node.add_problem("profiles", name, f"unknown profile; profiles are: {', '.join(PROFILES)}")

    # -- settings ---------------------------------------------------------------------------

    def settings_values(self, profile: str) -> dict[str, Any]:
        builtin = {k: v for k, v in self.builtin_profiles.get(profile, {}).items() if k not in self._given}
        return {**builtin, **self._given, **self._profiles.get(profile, {})}

    def resolve(self, profile: str) -> tuple[S | None, list[Problem]]:
        values = self.settings_values(profile)
        model: type[Any] = self.settings_model
        found, problems = validate_settings(model, values, self.node.path, profile)
        return found, problems

    @property
    def settings(self) -> S:
        """The settings of the default profile (raises StackError if they are invalid)."""
        found, problems = self.resolve("default")
        if found is None:
            raise StackError(problems)
        return found

    # -- identity in the generated files ----------------------------------------------------

    @property
    def symbol(self) -> str:
        """This construct's module symbol in main.bicep (its unique id never changes: worked out once)."""
        if self._symbol is None:
            self._symbol = camel(self.node.unique_id)
        return self._symbol

    def output(self, name: str) -> Expr:
        """One of this construct's module outputs, as a main.bicep expression."""
        return output(self.symbol, name)

    def resource_name(self, plan: Plan) -> ResourceName:
        return plan.names[self.node.path]

    def explicit_name(self, settings: S) -> str | None:
        value = getattr(settings, "name", None)
        return value if isinstance(value, str) else None

    # -- escape hatch -----------------------------------------------------------------------

    def override(self, path: str, value: object) -> None:
        """Set a property of the main resource this construct emits, e.g.
        `db.override("properties.backup.backupRetentionDays", 14)`. The result is validated and
        rendered like every other property."""
        if not path or any(not part for part in path.split(".")):
            self.node.add_problem(
                "override",
                path,
                "give a dotted property path such as 'properties.backup.backupRetentionDays'",
            )
            return
        if "[" in path or "]" in path:
            head = path.split("[", 1)[0]
            self.node.add_problem(
                "override", path, f"paths take no list indexes; override the whole list: override({head!r}, [...])"
            )
            return
        self._overrides.append((path, value))

    def apply_overrides(self, resource: Resource, lift: Callable[[object], object] | None = None) -> Resource:
        """`resource` with the overrides set; `lift` turns each value given into what the module
        writes (a Resource's: main.bicep expressions into its parameters)."""
        if not self._overrides:
            return resource
        body: dict[str, Any] = copy.deepcopy(dict(resource.body))
        for path, value in self._overrides:
            target = body
            parts = path.split(".")
            for part in parts[:-1]:
                nxt = target.setdefault(part, {})
                if not isinstance(nxt, dict):
                    self.node.add_problem("override", path, f"{part!r} is not an object in the generated resource")
                    break
                target = nxt
            else:
                target[parts[-1]] = value if lift is None else lift(value)
        return attrs.evolve(resource, body=body, overridden=tuple(path for path, _ in self._overrides))

    # -- reasoned suppressions --------------------------------------------------------------

    def suppress(self, rule_id: str, reason: str) -> None:
        """Silence one validation rule (e.g. 'ML113') on this construct only. The reason is
        required; it is written beside the resource as `// checkov:skip=ML113: reason`."""
        if rule_id not in RULES_BY_ID:
            self.node.add_problem(
                "suppress", rule_id, f"unknown rule; rules that can be suppressed: {', '.join(RULES_BY_ID)}"
            )
        elif not isinstance(reason, str) or len(reason.strip()) < 10 or "\n" in reason:
            self.node.add_problem(
                "suppress",
                rule_id,
                "give a written reason of one line, at least 10 characters, saying why the finding is acceptable",
            )
        else:
            self._suppressions[rule_id] = reason.strip()

    @property
    def suppressions(self) -> dict[str, str]:
        """Rule id -> the reason it is silenced on this construct."""
        return dict(self._suppressions)

    # -- what the pipeline asks of every construct ------------------------------------------------

    @property
    def expands(self) -> bool:
        """Whether the pipeline expands this construct itself (False: its parent's module holds it)."""
        return True

    # Outputs azd reads from main.bicep (AZURE_CONTAINER_REGISTRY_ENDPOINT...): the first construct
    # of a kind gives them; `azd_outputs_rank` orders kinds among themselves.
    azd_outputs_rank: ClassVar[int] = 0

    def azd_outputs(self) -> tuple[Output, ...]:
        return ()

    def azd_service(self, settings: S) -> Service | None:
        """The azd service this construct is (a container app), if any."""
        return None

    def workflow(self, settings: S) -> Workflow | None:
        """The deploy workflow's shape this construct sets (a DeployIdentity: branch, environment)."""
        return None

    def extra_names(self) -> tuple[tuple[str, NameRule], ...]:
        """Names of further resources, as (suffix of the path, rule): an app's identity is '#identity'."""
        return ()

    @property
    def outgoing(self) -> tuple[Connection, ...]:
        """The connections this construct declared (an app's connect() calls)."""
        return ()

    def implied_grants(self) -> tuple[RoleGrant, ...]:
        """Grants this construct needs without declaring them (an app's AcrPull on its registry)."""
        return ()

    # -- expansion ----------------------------------------------------------------------------

    def check(self, settings: S, plan: Plan) -> list[Problem]:
        """Problems that need the whole stack (connections, names); settings are already valid."""
        return []

    def build(self, settings: S, plan: Plan, synth: Synthesis) -> None:
        raise NotImplementedError

    def emit(
        self, plan: Plan, synth: Synthesis, file: BicepFile, arguments: dict[str, object], needs: tuple[str, ...] = ()
    ) -> None:
        """Add this construct's own module; every call gets its name, the region and the tags, and
        the module gets the role assignments granted on this construct."""
        common: dict[str, object] = {
            "name": self.resource_name(plan).expression(),
            "location": ref("location"),
            "tags": ref("tags"),
        }
        access: list[list[RoleGrant]] = []
        if self.grant_scope is not None and plan.grants_on(self):
            own, *access = plan.grant_chunks(self)
            params, grants, grant_arguments = grant_resources(
                self, plan, self.grant_scope, positional=synth.share, grants=own, besides=len(file.params)
            )
            file = extended(file, params, grants)
            arguments = {**arguments, **grant_arguments}
        # A construct with suppressions of its own keeps its own file: they are written into it.
        family = self.module_kind if self.shares_module and not self.suppressions else None
        synth.module(
            self,
            self.symbol,
            plan.module_stems[self.node.path],
            file,
            {**common, **arguments},
            needs=needs,
            family=family,
        )
        for number, grants_of_module in enumerate(access, start=2):
            self._emit_access(plan, synth, file, number, grants_of_module)

    # -- grants past what one module holds --------------------------------------------------------

    def access_symbol(self, number: int) -> str:
        """The main.bicep symbol of this construct's access module `number` (2, 3, ...)."""
        return f"{self.symbol}Access{number}"

    def grant_holder(self, plan: Plan, principal: Construct) -> str:
        """The module symbol holding `principal`'s role assignments on this construct: its own, or
        the access module they went to (a target with more grants than one module holds)."""
        if self.grant_scope is None:  # grants placed by the construct itself (a Resource's)
            return self.symbol
        chunk = plan.grant_chunk_of(self, principal)
        return self.symbol if chunk == 0 else self.access_symbol(chunk + 1)

    def _emit_access(
        self, plan: Plan, synth: Synthesis, own_file: BicepFile, number: int, grants: list[RoleGrant]
    ) -> None:
        """A module holding `grants` on the resource the construct's own module deployed (declared
        `existing` by its name), deployed after that module."""
        assert self.grant_scope is not None
        scope = next(r for r in own_file.resources if r.symbol == self.grant_scope)
        if scope.body.get("name") != ref("name") or "parent" in scope.body:
            raise StackError(
                [
                    Problem(
                        self.node.path,
                        "connections",
                        len(plan.grants_on(self)),
                        f"more role assignments than one module holds ({MAX_GRANTS_PER_MODULE}) on a resource "
                        "that is not top-level: connect fewer apps to it",
                    )
                ]
            )
        params, resources, arguments = grant_resources(
            self, plan, self.grant_scope, positional=synth.share, grants=grants
        )
        existing = attrs.evolve(scope, body={"name": ref("name")}, existing=True, suppressions=(), overridden=())
        file = BicepFile(
            params=(Param("name", "string", description="The name of the resource the roles are granted on."), *params),
            resources=(existing, *resources),
        )
        synth.module(
            self,
            self.access_symbol(number),
            f"{plan.module_stems[self.node.path]}-access-{number}",
            file,
            {"name": self.resource_name(plan).expression(), **arguments},
            needs=(self.symbol,),
        )
