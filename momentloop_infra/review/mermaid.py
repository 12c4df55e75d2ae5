"""A Mermaid flowchart of the apps and what they reach, each edge labelled with the role."""

from __future__ import annotations

import re

from momentloop_infra.review.diff import StackDiff
from momentloop_infra.review.graph import edges, nodes


def node_id(path: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", path)


def _label(text: str) -> str:
    return text.replace('"', "#quot;")


def flowchart(diff: StackDiff) -> str:
    lines = ["flowchart LR"]
    found = nodes(diff)
    for path, (kind, state) in found.items():
        mark = {"kept": "", "added": " (added)", "removed": " (removed)"}[state]
        text = _label(f"{path.rsplit('/', 1)[-1]}<br/>{kind}{mark}")
        shape = f'(["{text}"])' if kind == "container app" else f'["{text}"]'
        lines.append(f"  {node_id(path)}{shape}")
    for edge in edges(diff):
        for end in (edge.principal, edge.target):
            if end not in found:
                found[end] = ("", "kept")
                lines.append(f'  {node_id(end)}["{_label(end)}"]')
        arrow = {"kept": "-->", "added": "==>", "removed": "-.->"}[edge.state]
        label = _label(edge.role if edge.state == "kept" else f"{edge.state}: {edge.role}")
        lines.append(f'  {node_id(edge.principal)} {arrow}|"{label}"| {node_id(edge.target)}')
    lines.append("  classDef added stroke:#1a7f37,stroke-width:3px")
    lines.append("  classDef removed stroke:#cf222e,stroke-dasharray:4 3")
    for state in ("added", "removed"):
        members = [node_id(p) for p, (_, s) in found.items() if s == state]
        if members:
            lines.append(f"  class {','.join(members)} {state}")
    return "\n".join(lines) + "\n"
