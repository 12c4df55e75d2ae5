"""The diff and cost reports for a terminal."""

from __future__ import annotations

from momentloop_infra.review.cost import CostReport
from momentloop_infra.review.pricing_notes import assumptions_lines, price_lines, table_note
from momentloop_infra.review.review import Review
from momentloop_infra.review.values import show

MARKS = {"added": "+", "removed": "-", "changed": "~", "replaced": "!"}


def money(usd: float) -> str:
    return f"${usd:,.2f}" if usd >= 0 else f"-${-usd:,.2f}"


def signed(usd: float) -> str:
    return f"+${usd:,.2f}" if usd >= 0 else f"-${-usd:,.2f}"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def headline(r: Review) -> str:
    d = r.diff
    return (
        f"{d.count('added')} added, {d.count('removed')} removed, {d.count('changed')} changed, "
        f"{d.count('replaced')} replaced; roles +{len(d.grants_added)} -{len(d.grants_removed)}; "
        f"cost {money(r.cost_old.total)} → {money(r.cost_new.total)} ({signed(r.cost_change)}) a month"
    )


def diff_text(r: Review) -> str:
    d = r.diff
    out = [f"stack {d.new.stack or d.old.stack!r}, profile {r.profile}: {d.old.source} → {d.new.source}"]
    if d.empty:
        out.append("no change")
        return "\n".join(out) + "\n"
    out.append(f"resources: {headline(r)}")
    for c in d.resources:
        out.append(f"  {MARKS[c.kind]} {c.kind:<8} {c.path}  {c.type}  {c.symbol}")
        for p in c.properties:
            note = "   (forces replacement)" if p.replaces else ""
            out.append(f"      {p.path}: {show(p.old)} → {show(p.new)}{note}")
    out.append("")
    if r.security:
        wide = len(r.broadening)
        out.append(f"security: {len(r.security)} changes, {wide} broadening")
        rows = [["", "kind", "who", "change", "on"]]
        rows += [["!" if s.broadening else " ", s.kind, s.subject, s.change, s.resource] for s in r.security]
        out += _table(rows)
    else:
        out.append("security: no change")
    out.append("")
    out.append(cost_change_text(r))
    return "\n".join(out) + "\n"


def cost_change_text(r: Review) -> str:
    totals = f"{money(r.cost_old.total)} → {money(r.cost_new.total)} ({signed(r.cost_change)})"
    out = [f"cost (profile {r.profile}, USD a month): {totals}"]
    before, after = r.cost_old.by_resource(), r.cost_new.by_resource()
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path, 0.0), after.get(path, 0.0)
        if round(a - b, 2):
            out.append(f"  {path}: {money(a)} → {money(b)} ({signed(b - a)})")
    return "\n".join(out)


def cost_text(reports: list[CostReport]) -> str:
    totals = {r.profile: r.by_resource() for r in reports}
    paths = sorted({p for t in totals.values() for p in t})
    side = [["USD a month", *totals]]
    side += [[path, *(money(t.get(path, 0.0)) for t in totals.values())] for path in paths]
    side.append(["total", *(money(r.total) for r in reports)])
    out = [*_table(side), ""]
    for report in reports:
        out.append(f"profile {report.profile}: {money(report.total)} a month")
        rows = [["resource", "item", "USD/month", "how"]]
        for line in report.lines:
            rows.append([line.path, line.item, money(line.usd) if line.usd is not None else "—", line.detail])
        out += _table(rows)
        out.append("")
    out.append("assumptions (usage the stack cannot know):")
    out += [f"  {line}" for line in assumptions_lines(reports[0].assumptions)]
    out.append("")
    out.append(f"prices: {table_note()}")
    out += [f"  {line}" for line in price_lines(sorted({p for r in reports for p in r.price_ids}))]
    return "\n".join(out) + "\n"
