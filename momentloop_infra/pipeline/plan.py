"""Stack → Plan: resolve every construct's settings for a profile, name everything, gather the
connections and grants, and run the checks that need the whole stack. Every problem is collected
before anything is built."""

from __future__ import annotations

from typing import Any

from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.errors import Problem, StackError
from momentloop_infra.model.names import NameRule, ResourceName, assign_slugs
from momentloop_infra.profiles import PROFILES


def azure_constructs(stack: Construct) -> list[AzureConstruct[Any]]:
    return [c for c in stack.node.walk() if isinstance(c, AzureConstruct) and c.expands]


def module_stems(constructs: list[AzureConstruct[Any]]) -> tuple[dict[str, str], list[Problem]]:
    """Module file names from construct paths: the kind alone when the id already says it
    (`storage`, `key-vault` for id 'vault', `postgresql` for 'postgres'), else kind-id
    (`container-app-backend`, `storage-shop-files` for shop/files)."""
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
    groups: dict[NameRule, list[tuple[str, str]]] = {}
    explicit: dict[str, tuple[NameRule, str]] = {}
    for c in constructs:
        if c.name_rule is None or c.node.path not in settings:
            continue
        given = c.explicit_name(settings[c.node.path])
        if given is not None:
            explicit[c.node.path] = (c.name_rule, given)
        else:
            groups.setdefault(c.name_rule, []).append((c.node.path, c.node.unique_id))
        for suffix, rule in c.extra_names():
            groups.setdefault(rule, []).append((f"{c.node.path}{suffix}", c.node.unique_id))
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


def collect_problems(stack: Construct) -> list[Problem]:
    found: list[Problem] = []
    for construct in stack.node.walk():
        found += construct.node.problems
    return found


def unique(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        key = str(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def plan_stack(stack: Construct, profile: str) -> Plan:
    """The whole stack resolved for `profile`; raises StackError listing every problem."""
    problems = collect_problems(stack)
    if profile not in PROFILES:
        problems.append(
            Problem(stack.node.path, "profile", profile, f"unknown profile; profiles are: {', '.join(PROFILES)}")
        )
    constructs = azure_constructs(stack)
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
    connections = [conn for c in constructs for conn in c.outgoing]
    grants = [g for conn in connections for g in conn.grants]
    declared = {(g.role.guid, id(g.principal), id(g.target)) for g in grants}
    for c in constructs:
        for implied in c.implied_grants():
            if (implied.role.guid, id(implied.principal), id(implied.target)) not in declared:
                grants.append(implied)
    plan = Plan(profile, settings, resource_names, stems, connections, grants)
    problems += stem_problems + name_problems
    for c in constructs:
        if c.node.path in settings:
            problems += c.check(settings[c.node.path], plan)
    if problems:
        raise StackError(unique(problems))
    return plan
