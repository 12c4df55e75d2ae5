"""The pull-request summary: headline per profile, security table, RBAC matrix, Mermaid
flowchart and the changed resources, under GitHub's size limits.

When the document is too long only the collapsed details are shortened (with a note); the
headline and the security table are always there whole.
"""

from __future__ import annotations

from momentloop_infra.review.graph import apps, edges
from momentloop_infra.review.markdown import code, cost_change_lines, resource_lines, security_table, table
from momentloop_infra.review.mermaid import flowchart
from momentloop_infra.review.review import Review
from momentloop_infra.review.text import headline, money, signed

# Characters GitHub accepts: a pull-request comment body, and one step's job summary (1 MiB).
LIMITS = {"comment": 65_535, "job-summary": 1024 * 1024}


def rbac_matrix(r: Review) -> list[str]:
    found = edges(r.diff)
    if not found:
        return ["No app holds a role."]
    targets = sorted({e.target for e in found})
    cells: dict[tuple[str, str], list[str]] = {}
    for e in found:
        text = {"kept": e.role, "added": f"**+ {e.role}**", "removed": f"~~{e.role}~~"}[e.state]
        cells.setdefault((e.principal, e.target), []).append(text)
    rows = [[code(a)] + ["<br>".join(cells.get((a, t), [])) or "·" for t in targets] for a in apps(r.diff)]
    return table(["App \\ resource", *[code(t) for t in targets]], rows)


def _head(reviews: list[Review]) -> list[str]:
    main = reviews[0]
    d = main.diff
    out = [f"## Infrastructure review: `{d.new.stack or d.old.stack}`", "", f"{d.old.source} → {d.new.source}", ""]
    for r in reviews:
        out.append(f"- **{r.profile}**: {headline(r)}")
    out.append("")
    wide = main.broadening
    if wide:
        note = f"> {len(wide)} change(s) widen access (profile {main.profile}): see the rows marked broadening."
        out += ["> [!WARNING]", note]
    else:
        out.append("Nothing in this change widens access.")
    out += ["", f"### Security (profile {main.profile})", ""]
    out += security_table(main.security)
    for r in reviews[1:]:
        if r.security != main.security:
            out += ["", f"### Security (profile {r.profile})", ""]
            out += security_table(r.security)
    return out


def _body(reviews: list[Review]) -> list[str]:
    main = reviews[0]
    out = ["", f"### Access (profile {main.profile})", ""]
    out += rbac_matrix(main)
    out += ["", "```mermaid", flowchart(main.diff).rstrip("\n"), "```", ""]
    out += ["### Cost per profile (USD a month)", ""]
    out += table(
        ["Profile", "Before", "After", "Change"],
        [[r.profile, money(r.cost_old.total), money(r.cost_new.total), signed(r.cost_change)] for r in reviews],
    )
    return out


def _details(r: Review, budget: int) -> list[str]:
    """The changed resources and the cost lines of one profile, cut to `budget` characters."""
    if r.diff.empty:
        return []
    head = [f"<details><summary>Changed resources, profile {r.profile} ({len(r.diff.resources)})</summary>", ""]
    lines = [*resource_lines(r), "", *cost_change_lines(r)]
    tail = ["", "</details>", ""]
    kept: list[str] = []
    size = sum(len(x) + 1 for x in head + tail)
    for index, line in enumerate(lines):
        if size + len(line) + 1 > budget - 200:
            left = len(lines) - index
            kept.append(
                f"\n*… {left} more line(s) left out to stay under GitHub's size limit; "
                f"run `momentloop-synth diff --profile {r.profile}` for all of them.*"
            )
            break
        kept.append(line)
        size += len(line) + 1
    return head + kept + tail


def summary_markdown(reviews: list[Review], limit: int = LIMITS["comment"]) -> str:
    head = "\n".join(_head(reviews)) + "\n"
    body = "\n".join(_body(reviews)) + "\n"
    if len(head) + len(body) > limit:
        body = "\n*The access matrix and flowchart are left out to stay under GitHub's size limit.*\n"
    text = head + body
    for r in reviews:
        remaining = limit - len(text)
        if remaining < 400:
            text += "\n*Resource details left out to stay under GitHub's size limit.*\n"
            break
        text += "\n" + "\n".join(_details(r, remaining))
    return text
