"""Reports for people (text, grouped by construct) and machines (JSON, SARIF 2.1.0)."""

from __future__ import annotations

import json
from typing import Any

from momentloop_infra.model.findings import Finding, Report
from momentloop_infra.validation.core import CHECKS
from momentloop_infra.validation.rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL = "momentloop-synth"


def _shown(value: object) -> object:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def to_text(report: Report) -> str:
    lines: list[str] = []
    by_path: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_path.setdefault(finding.path, []).append(finding)
    for path, findings in by_path.items():
        lines.append(path)
        for f in findings:
            if f.suppressed is not None:
                lines.append(
                    f"  suppressed {f.rule}{' (' + f.where + ')' if f.where else ''}: {f.field}: {f.suppressed}"
                )
            else:
                lines.append(f"  {f}")
        lines.append("")
    lines.append(report.summary())
    return "\n".join(lines) + "\n"


def _finding_dict(f: Finding, infra_prefix: str) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "level": f.level,
        "path": f.path,
        "field": f.field,
        "value": _shown(f.value),
        "message": f.message,
        "file": f"{infra_prefix}{f.file}" if f.file else None,
        "line": f.line,
        "suppressed": f.suppressed,
    }


def to_json(report: Report, infra_prefix: str = "infra/") -> str:
    data = {
        "stack": report.stack,
        "profile": report.profile,
        "summary": {
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "suppressed": len(report.suppressed),
            "text": report.summary(),
        },
        "findings": [_finding_dict(f, infra_prefix) for f in report.findings],
    }
    return json.dumps(data, indent=2) + "\n"


def rule_catalog() -> list[dict[str, str]]:
    rows = [{"id": r.id, "name": r.name, "reason": r.reason, "fix": r.fix, "level": r.level} for r in RULES]
    rows += [{"id": i, "name": n, "reason": d, "fix": "", "level": "error"} for i, (n, d) in CHECKS.items()]
    return sorted(rows, key=lambda r: r["id"])


def to_sarif(report: Report, infra_prefix: str = "infra/") -> str:
    catalog = rule_catalog()
    index = {row["id"]: i for i, row in enumerate(catalog)}
    results = []
    for f in report.findings:
        location: dict[str, Any] = {"logicalLocations": [{"fullyQualifiedName": f.path, "kind": "module"}]}
        if f.file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": f"{infra_prefix}{f.file}"}}
            if f.line is not None:
                physical["region"] = {"startLine": f.line}
            location["physicalLocation"] = physical
        field = f"{f.field}: " if f.field else ""
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": f.level,
            "message": {"text": f"{f.path}: {field}{f.message}"},
            "locations": [location],
            "properties": {"constructPath": f.path, "field": f.field, "value": _shown(f.value)},
        }
        if f.suppressed is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        results.append(result)
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "rules": [
                            {
                                "id": row["id"],
                                "name": row["name"],
                                "shortDescription": {"text": row["reason"]},
                                "help": {"text": row["fix"] or row["reason"]},
                                "defaultConfiguration": {"level": row["level"]},
                            }
                            for row in catalog
                        ],
                    }
                },
                "automationDetails": {"id": f"{report.stack}/{report.profile}"},
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"


def render_report(report: Report, format: str) -> str:
    if format == "json":
        return to_json(report)
    if format == "sarif":
        return to_sarif(report)
    return to_text(report)
