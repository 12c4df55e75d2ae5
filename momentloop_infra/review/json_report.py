"""The diff and cost reports as JSON, for machines."""

from __future__ import annotations

import json

import attrs

from momentloop_infra.review.cost import CostReport, price_table
from momentloop_infra.review.review import Review
from momentloop_infra.review.values import plain


def _cost(report: CostReport) -> dict[str, object]:
    return {
        "profile": report.profile,
        "total_usd": report.total,
        "lines": [attrs.asdict(line) for line in report.lines],
        "assumptions": dict(report.assumptions),
    }


def diff_json(r: Review) -> str:
    d = r.diff
    data = {
        "stack": d.new.stack or d.old.stack,
        "profile": r.profile,
        "old": d.old.source,
        "new": d.new.source,
        "resources": [
            {
                "kind": c.kind,
                "path": c.path,
                "type": c.type,
                "symbol": c.symbol,
                "properties": [
                    {"path": p.path, "old": plain(p.old), "new": plain(p.new), "forces_replacement": p.replaces}
                    for p in c.properties
                ],
            }
            for c in d.resources
        ],
        "roles_added": [attrs.asdict(g) for g in d.grants_added],
        "roles_removed": [attrs.asdict(g) for g in d.grants_removed],
        "security": [attrs.asdict(s) for s in r.security],
        "broadening": bool(r.broadening),
        "cost": {"old": _cost(r.cost_old), "new": _cost(r.cost_new), "change_usd": r.cost_change},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def cost_json(reports: list[CostReport]) -> str:
    t = price_table()
    ids = sorted({p for r in reports for p in r.price_ids})
    data = {
        "currency": t["currency"],
        "region": t["region"],
        "about": t["about"],
        "profiles": [_cost(r) for r in reports],
        "prices": {i: t["prices"][i] for i in ids},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
