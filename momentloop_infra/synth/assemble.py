"""Stack → Project: resolve settings for a profile, name everything, expand constructs into
records, and lay out main.bicep. Every problem is collected before anything is built."""

from __future__ import annotations

import json
from importlib import resources as package_resources
from typing import TYPE_CHECKING, Any

import attrs

from momentloop_infra.bicep.expr import Expr, call, interpolate, ref
from momentloop_infra.errors import Problem, StackError
from momentloop_infra.model import names
from momentloop_infra.model.names import ResourceName, assign_slugs
from momentloop_infra.model.records import BicepFile, ModuleCall, Output, Param, ParamValue, Variable, named_by_library
from momentloop_infra.model.resources import resource
from momentloop_infra.synth.context import Synthesis
from momentloop_infra.synth.plan import Plan

if TYPE_CHECKING:
    from momentloop_infra.constructs.base import AzureConstruct
    from momentloop_infra.constructs.stack import Stack
    from momentloop_infra.validation.findings import Report


@attrs.frozen
class Project:
    """Everything one synthesis produces, before it becomes text."""

    stack: Stack
    profile: str
    plan: Plan
    main: BicepFile
    modules: dict[str, BicepFile]
    param_values: tuple[ParamValue, ...]
    report: Report | None = None  # the validation findings (warnings, honoured suppressions)

    @property
    def resource_count(self) -> int:
        """Resources deployed (not `existing` references): the resource group plus every module
        call's resources, a shared module file counted once per call."""
        per_file = {path: sum(1 for r in f.resources if not r.existing) for path, f in self.modules.items()}
        return 1 + sum(per_file[call.file] for call in self.main.modules)

    @property
    def role_assignment_count(self) -> int:
        return len(self.plan.grants)


def abbreviations() -> dict[str, str]:
    text = package_resources.files("momentloop_infra").joinpath("data/abbreviations.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def module_stems(constructs: list[AzureConstruct[Any]]) -> tuple[dict[str, str], list[Problem]]:
    """Module file names from construct ids: the kind alone when the id already says it
    (`storage`, `key-vault` for id 'vault', `postgresql` for 'postgres'), else kind-id
    (`container-app-backend`)."""
    stems: dict[str, str] = {}
    for c in constructs:
        kind, id = c.module_kind, c.node.unique_id
        says_it = kind == id or kind.startswith(id) or kind.endswith(f"-{id}")
        stems[c.node.path] = kind if says_it and c.module_kind != "container-app" else f"{kind}-{id}"
    problems = []
    seen: dict[str, str] = {}
    for path, stem in stems.items():
        if stem in seen:
            problems.append(
                Problem(
                    path,
                    "id",
                    stem,
                    f"gives the module file name {stem}.bicep, as {seen[stem]} does; rename one",
                )
            )
        seen[stem] = path
    return stems, problems


def assign_names(
    constructs: list[AzureConstruct[Any]], settings: dict[str, Any]
) -> tuple[dict[str, ResourceName], list[Problem]]:
    from momentloop_infra.constructs.container_app import ContainerApp

    groups: dict[names.NameRule, list[tuple[str, str]]] = {}
    explicit: dict[str, tuple[names.NameRule, str]] = {}
    for c in constructs:
        if c.name_rule is None or c.node.path not in settings:
            continue
        given = c.explicit_name(settings[c.node.path])
        if given is not None:
            explicit[c.node.path] = (c.name_rule, given)
        else:
            groups.setdefault(c.name_rule, []).append((c.node.path, c.node.unique_id))
        if isinstance(c, ContainerApp):
            groups.setdefault(names.USER_ASSIGNED_IDENTITY, []).append((f"{c.node.path}#identity", c.node.unique_id))
    result: dict[str, ResourceName] = {}
    problems: list[Problem] = []
    for rule, members in groups.items():
        for path, slug in assign_slugs(rule, members).items():
            result[path] = ResourceName(rule, slug)
    for path, (rule, given) in explicit.items():
        result[path] = ResourceName(rule, "", explicit=given)
    for path, name in sorted(result.items()):
        message = name.rule.check(name.sample())
        if message is not None:
            shown = name.sample() if name.explicit else f"{name.sample()} (with a 13-character token)"
            problems.append(Problem(path.split("#")[0], "name", shown, message))
    return result, problems


def collect_problems(stack: Stack) -> list[Problem]:
    found: list[Problem] = []
    for construct in stack.node.walk():
        found += construct.node.problems
    return found


def plan_stack(stack: Stack, profile: str) -> Plan:
    from momentloop_infra.constructs.base import AzureConstruct
    from momentloop_infra.constructs.container_app import ContainerApp
    from momentloop_infra.profiles import PROFILES

    problems = collect_problems(stack)
    if profile not in PROFILES:
        problems.append(
            Problem(stack.node.path, "profile", profile, f"unknown profile; profiles are: {', '.join(PROFILES)}")
        )
    constructs = [c for c in stack.node.walk() if isinstance(c, AzureConstruct)]
    if not constructs:
        problems.append(
            Problem(
                stack.node.path,
                "",
                None,
                "the stack has no resources; add constructs to it before synthesizing",
            )
        )
    settings: dict[str, Any] = {}
    for c in constructs:
        found, issues = c.resolve(profile)
        problems += issues
        if found is not None:
            settings[c.node.path] = found
    stems, stem_problems = module_stems(constructs)
    resource_names, name_problems = assign_names(constructs, settings)
    connections = [conn for c in constructs if isinstance(c, ContainerApp) for conn in c.connections]
    grants = [g for conn in connections for g in conn.grants]
    declared = {(g.role.guid, id(g.principal), id(g.target)) for g in grants}
    for c in constructs:
        pull = c.pull_grant if isinstance(c, ContainerApp) else None
        if pull is not None and (pull.role.guid, id(c), id(pull.target)) not in declared:
            grants.append(pull)
    plan = Plan(stack, profile, settings, resource_names, stems, connections, grants)
    problems += stem_problems + name_problems
    for c in constructs:
        if c.node.path in settings:
            problems += c.check(settings[c.node.path], plan)
    if problems:
        raise StackError(_unique(problems))
    return plan


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        key = str(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def assemble(stack: Stack, profile: str = "default", *, validate: bool = True) -> Project:
    """Build the project; with `validate` (the default) also run every offline check, raising
    StackError (a ValidationFailed) with every blocking finding."""
    from momentloop_infra.constructs.base import AzureConstruct
    from momentloop_infra.constructs.environment import ContainerAppsEnvironment
    from momentloop_infra.constructs.key_vault import KeyVault
    from momentloop_infra.constructs.registry import ContainerRegistry

    plan = plan_stack(stack, profile)
    synth = Synthesis(profile)
    constructs = [c for c in stack.node.walk() if isinstance(c, AzureConstruct)]
    for c in constructs:
        synth.claim(c.symbol, c.node.path)
    if synth.problems:
        raise StackError(synth.problems)
    for c in constructs:
        c.build(plan.settings[c.node.path], plan, synth)
    problems = collect_problems(stack) + synth.problems
    if problems:
        raise StackError(_unique(problems))

    outputs = [
        Output("AZURE_LOCATION", "string", ref("location")),
        Output("AZURE_TENANT_ID", "string", Expr("tenant().tenantId")),
        Output("AZURE_RESOURCE_GROUP", "string", ref("rg").prop("name")),
    ]
    registries = [c for c in constructs if isinstance(c, ContainerRegistry)]
    if registries:
        outputs += [
            Output("AZURE_CONTAINER_REGISTRY_ENDPOINT", "string", registries[0].output("loginServer")),
            Output("AZURE_CONTAINER_REGISTRY_NAME", "string", registries[0].output("name")),
        ]
    environments = [c for c in constructs if isinstance(c, ContainerAppsEnvironment)]
    if environments:
        outputs.append(Output("AZURE_CONTAINER_ENVIRONMENT_NAME", "string", environments[0].output("name")))
    vaults = [c for c in constructs if isinstance(c, KeyVault)]
    if vaults:
        outputs += [
            Output("AZURE_KEY_VAULT_ENDPOINT", "string", vaults[0].output("uri")),
            Output("AZURE_KEY_VAULT_NAME", "string", vaults[0].output("name")),
        ]
    outputs += synth.outputs

    rg = resource(
        "rg",
        "Microsoft.Resources/resourceGroups",
        {
            "name": interpolate(ref("abbrs").prop("resourcesResourceGroups"), ref("environmentName")),
            "location": ref("location"),
            "tags": ref("tags"),
        },
    )
    needs_abbrs = any(c.name_rule is not None for c in constructs)
    main = named_by_library(
        BicepFile(
            target_scope="subscription",
            header=f"// Generated by momentloop-synth from the stack '{stack.node.path}' (profile {profile}). "
            "Do not edit.",
            params=(
                Param(
                    "environmentName",
                    "string",
                    description="Name of the azd environment; prefixes and tags every resource.",
                    min_length=1,
                    max_length=64,
                ),
                Param("location", "string", description="Azure region of every resource.", min_length=1),
                *synth.params,
            ),
            variables=(
                Variable("abbrs", call("loadJsonContent", "abbreviations.json")),
                Variable(
                    "resourceToken",
                    call(
                        "toLower",
                        call("uniqueString", Expr("subscription().id"), ref("environmentName"), ref("location")),
                    ),
                ),
                Variable("tags", {"azd-env-name": ref("environmentName")}),
            )
            if needs_abbrs
            else (Variable("tags", {"azd-env-name": ref("environmentName")}),),
            resources=(rg,),
            modules=tuple(_ordered(synth.calls)),
            outputs=tuple(outputs),
        )
    )
    values = (
        ParamValue("environmentName", "AZURE_ENV_NAME", "string", None),
        ParamValue("location", "AZURE_LOCATION", "string", None),
        *synth.param_values,
    )
    project = Project(stack, profile, plan, main, dict(sorted(synth.modules.items())), values)
    if not validate:
        return project
    from momentloop_infra.validation.core import ValidationFailed, validate_project

    report, project = validate_project(project)
    if report.errors:
        raise ValidationFailed(report, project)
    return attrs.evolve(project, report=report)


def _ordered(calls: list[ModuleCall]) -> list[ModuleCall]:
    """Declaration order, except that a module comes after every module it references."""
    from momentloop_infra.bicep.expr import refs_of

    by_symbol = {c.symbol: c for c in calls}
    placed: list[ModuleCall] = []
    done: set[str] = set()

    def place(call_: ModuleCall, trail: tuple[str, ...]) -> None:
        if call_.symbol in done or call_.symbol in trail:
            return
        for dep in sorted(refs_of(call_.params.values()) | set(call_.depends_on)):
            if dep in by_symbol:
                place(by_symbol[dep], (*trail, call_.symbol))
        done.add(call_.symbol)
        placed.append(call_)

    for c in calls:
        place(c, ())
    return placed
