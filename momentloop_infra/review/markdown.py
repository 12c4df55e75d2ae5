"""The diff and cost reports as GitHub Markdown."""

from __future__ import annotations

from momentloop_infra.review.cost import CostReport
from momentloop_infra.review.pricing_notes import assumptions_lines, price_lines, table_note
from momentloop_infra.review.review import Review
from momentloop_infra.review.security import SecurityRow
from momentloop_infra.review.text import headline, money, signed
from momentloop_infra.review.values import show

# A leading "-" or "+" would start a nested list in Markdown.
ICONS = {"added": "🟢", "removed": "🔴", "changed": "🟡", "replaced": "♻️"}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def code(text: str) -> str:
    quoted = text.replace("`", "'")
    return f"`{quoted}`" if text else ""


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return out


def security_table(rows: tuple[SecurityRow, ...]) -> list[str]:
    if not rows:
        return ["No change to roles, ingress, network access, keys, TLS, administrators or secrets."]
    return table(
        ["", "Kind", "Who", "Change", "On"],
        [["⚠️ broadening" if s.broadening else "", s.kind, code(s.subject), s.change, code(s.resource)] for s in rows],
    )


def resource_lines(r: Review) -> list[str]:
    out = []
    for c in r.diff.resources:
        title = f"{ICONS[c.kind]} **{c.kind}** {code(c.path)} {code(c.type)} {code(c.symbol)}"
        out.append(f"- {title}")
        for p in c.properties:
            note = " — **forces replacement**" if p.replaces else ""
            out.append(f"  - {code(p.path)}: {code(show(p.old))} → {code(show(p.new))}{note}")
    return out


def cost_change_lines(r: Review) -> list[str]:
    before, after = r.cost_old.by_resource(), r.cost_new.by_resource()
    rows = []
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path, 0.0), after.get(path, 0.0)
        if round(a - b, 2):
            rows.append([code(path), money(a), money(b), signed(b - a)])
    rows.append(["**total**", money(r.cost_old.total), money(r.cost_new.total), signed(r.cost_change)])
    return table(["Resource", "Before", "After", "Change"], rows)


def diff_markdown(r: Review) -> str:
    d = r.diff
    out = [f"### Infrastructure diff: `{d.new.stack or d.old.stack}` (profile {r.profile})", ""]
    out.append(f"{d.old.source} → {d.new.source}")
    out.append("")
    if d.empty:
        out.append("No change.")
        return "\n".join(out) + "\n"
    out += [headline(r), "", "#### Security", ""]
    out += security_table(r.security)
    out += ["", "#### Resources", ""]
    out += resource_lines(r)
    out += ["", f"#### Cost (USD a month, profile {r.profile})", ""]
    out += cost_change_lines(r)
    return "\n".join(out) + "\n"


def cost_markdown(reports: list[CostReport]) -> str:
    out = ["### Monthly cost estimate", ""]
    names = [r.profile for r in reports]
    totals = {r.profile: r.by_resource() for r in reports}
    paths = sorted({p for t in totals.values() for p in t})
    rows = [[code(p)] + [money(totals[n].get(p, 0.0)) for n in names] for p in paths]
    rows.append(["**total**"] + [f"**{money(r.total)}**" for r in reports])
    out += table(["Resource", *names], rows)
    for report in reports:
        out += ["", f"<details><summary>Profile {report.profile}: every line</summary>", ""]
        out += table(
            ["Resource", "Item", "USD/month", "How"],
            [[code(x.path), x.item, money(x.usd) if x.usd is not None else "—", x.detail] for x in report.lines],
        )
        out += ["", "</details>"]
    out += ["", "**Assumptions**", ""]
    out += [f"- {line}" for line in assumptions_lines(reports[0].assumptions)]
    out += ["", "<details><summary>Prices</summary>", "", table_note(), ""]
    out += [f"- {line}" for line in price_lines(sorted({p for r in reports for p in r.price_ids}))]
    out += ["", "</details>"]
    return "\n".join(out) + "\n"
