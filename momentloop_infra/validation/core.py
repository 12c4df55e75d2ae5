"""Run every check over a synthesized project, honour reasoned suppressions, place findings on lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import attrs

from momentloop_infra.errors import Problem, StackError
from momentloop_infra.model.findings import Finding, Report
from momentloop_infra.model.project import Project
from momentloop_infra.model.records import BicepFile, Resource, Suppression
from momentloop_infra.validation.consistency import MAIN, check_project, module_param_values
from momentloop_infra.validation.rules import RULES, RULES_BY_ID, files_of, template_limits
from momentloop_infra.validation.schema import check_resource
from momentloop_infra.validation.size_estimate import size_estimate
from momentloop_infra.validation.symbols import FileSymbols
from momentloop_infra.validation.template_size import CompiledSizes

# Checks that are not rules in RULES: for SARIF's rule list and `--format json`.
CHECKS: dict[str, tuple[str, str]] = {
    "ML000": ("stack-problem", "a setting, id, name or connection of the stack is invalid"),
    "ML001": ("known-type", "every resource type and API version has an Azure type definition"),
    "ML002": ("known-property", "every property exists in the Azure type definition"),
    "ML003": ("property-kind", "every value has the kind the property takes"),
    "ML004": ("allowed-value", "every value is one the property allows"),
    "ML005": ("length-and-range", "strings and integers stay within the property's limits"),
    "ML006": ("not-read-only", "no read-only property is set"),
    "ML007": ("required-property", "every required property is set"),
    "ML008": ("deploy-time-constant", "names are known when the deployment starts"),
    "ML020": ("module-param-exists", "every module parameter passed is declared by the module"),
    "ML021": ("module-param-given", "every required module parameter is passed"),
    "ML022": ("module-output-exists", "every module output read is declared by the module"),
    "ML023": ("symbol-declared", "every symbol referenced is declared"),
    "ML024": ("bicepparam-param-exists", "every main.bicepparam assignment matches a main.bicep parameter"),
    "ML025": ("bicepparam-param-given", "every required main.bicep parameter is assigned"),
    "ML026": ("no-unused-param", "every parameter is used"),
    "ML027": ("no-unused-var", "every variable is used"),
    "ML028": ("bicepparam-type", "main.bicepparam assigns values of the declared type"),
    "ML029": ("symbol-unique", "every symbol is declared once in its file"),
    "ML900": ("suppression-used", "every suppression silences a finding"),
}


def _findings(project: Project, sizes: Callable[[], CompiledSizes]) -> list[Finding]:
    found = check_project(project)
    values = module_param_values(project)
    for name, file in files_of(project).items():
        symbols = FileSymbols(file, values.get(name, {}))
        for resource in file.resources:
            found += check_resource(resource, symbols, name)
    # The sizes last, so that a child computing them has the longest start; hits in RULES order.
    hits = {rule.id: list(rule.check(project)) for rule in RULES if rule.check is not template_limits}
    hits |= {rule.id: list(template_limits(project, sizes())) for rule in RULES if rule.check is template_limits}
    for rule in RULES:
        for hit in hits[rule.id]:
            message = f"{hit.detail + '; ' if hit.detail else ''}{rule.reason}; fix: {rule.fix}"
            found.append(Finding(rule.id, rule.level, hit.path, hit.field, hit.value, message, hit.file, hit.symbol))
    return found


def validate_project(
    project: Project, *, parallel: bool = False, sizes: Callable[[], CompiledSizes] | None = None
) -> tuple[Report, Project]:
    """Every finding on the project, and the project with each honoured suppression written into
    the resource it concerns (as `// checkov:skip=ID: reason`, the comment scanners read); a
    module file with none keeps its record. With `parallel`, the compiled-size estimate runs in a
    child process meanwhile (validation/size_estimate.py: for a caller that owns its process);
    `sizes` gives an estimate the caller started itself (size_estimate), to do more meanwhile."""
    if sizes is None:
        with size_estimate(project, in_child=parallel) as estimate:
            return validate_project(project, sizes=estimate)
    stack = project.stack_path
    wanted = project.suppressions
    used: set[tuple[str, str]] = set()
    findings: list[Finding] = []
    additions: dict[tuple[str, str], list[Suppression]] = {}
    for finding in _findings(project, sizes):
        reason = wanted.get(finding.path, {}).get(finding.rule)
        if reason is not None and finding.rule in RULES_BY_ID:
            used.add((finding.path, finding.rule))
            finding = attrs.evolve(finding, suppressed=reason)
            target = _resource_for(project, finding)
            if target is not None:
                additions.setdefault(target, []).append(Suppression(finding.rule, reason))
        findings.append(finding)
    for path, rules in wanted.items():
        for rule_id, reason in rules.items():
            if (path, rule_id) not in used:
                findings.append(
                    Finding(
                        "ML900",
                        "warning",
                        path,
                        "suppress",
                        rule_id,
                        f"nothing to suppress: {rule_id} finds no problem here (reason given: {reason!r}); "
                        "remove the suppression",
                    )
                )
    return Report.of(stack, project.profile, findings), _with_suppressions(project, additions)


def _resource_for(project: Project, finding: Finding) -> tuple[str, str] | None:
    files = files_of(project)
    file = files.get(finding.file)
    if file is not None and any(r.symbol == finding.symbol for r in file.resources):
        return finding.file, finding.symbol
    for name, candidate in files.items():
        for resource in candidate.resources:
            if resource.path == finding.path and not resource.existing:
                return name, resource.symbol
    return None


def _with_suppressions(project: Project, additions: Mapping[tuple[str, str], list[Suppression]]) -> Project:
    if not additions:
        return project

    def amend(name: str, resource: Resource) -> Resource:
        extra = [s for s in additions.get((name, resource.symbol), []) if s not in resource.suppressions]
        return (
            attrs.evolve(resource, suppressions=(*resource.suppressions, *dict.fromkeys(extra))) if extra else resource
        )

    def amended(name: str, file: BicepFile) -> BicepFile:
        resources = tuple(amend(name, r) for r in file.resources)
        changed = any(new is not old for new, old in zip(resources, file.resources, strict=True))
        return attrs.evolve(file, resources=resources) if changed else file

    modules = {name: amended(name, file) for name, file in project.modules.items()}
    return attrs.evolve(project, main=amended(MAIN, project.main), modules=modules)


def problems_as_findings(problems: tuple[Problem, ...] | list[Problem]) -> list[Finding]:
    return [Finding("ML000", "error", p.path, p.field, p.value, p.message) for p in problems]


# -- lines ------------------------------------------------------------------------------------------

_DECLARATION = "(?:resource|module|param|output|var)"


def locate(report: Report, files: Mapping[str, str]) -> Report:
    """The same report with each finding's line in its rendered file (1-based)."""
    placed = []
    for finding in report.findings:
        text = files.get(finding.file)
        if text is None or not finding.symbol:
            placed.append(finding)
            continue
        placed.append(attrs.evolve(finding, line=_line_of(text.split("\n"), finding.symbol, finding.field)))
    return attrs.evolve(report, findings=tuple(placed))


def _line_of(lines: list[str], symbol: str, field: str) -> int | None:
    start = next((i for i, line in enumerate(lines) if re.match(rf"{_DECLARATION} {re.escape(symbol)}\b", line)), None)
    if start is None:
        return None
    at = start
    path = re.sub(r"\s*\(via .*\)$", "", field)
    if path.startswith(("param ", "output ", "var ")):
        return start + 1
    for part in re.split(r"\.", path):
        key = re.sub(r"\[.*?\]$", "", part)
        if not key:
            continue
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}|'{re.escape(key)}'):")
        nxt = next((i for i in range(at + 1, len(lines)) if pattern.match(lines[i]) or lines[i].startswith("}")), None)
        if nxt is None or lines[nxt].startswith("}"):
            break
        at = nxt
    return at + 1


class ValidationFailed(StackError):
    """Synthesis stopped on blocking findings; carries the full report and the project."""

    def __init__(self, report: Report, project: Project) -> None:
        super().__init__([f.problem() for f in report.errors])
        self.report = report
        self.project = project
