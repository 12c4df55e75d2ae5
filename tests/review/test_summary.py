"""`momentloop-synth summary`: the pull-request document, its RBAC matrix, its Mermaid flowchart
(parsed by Mermaid itself in headless chromium) and GitHub's size limits."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from momentloop_infra.loader import load_stack
from momentloop_infra.pipeline.synthesize import synthesize
from momentloop_infra.review.assumptions import parse_assumptions
from momentloop_infra.review.review import review
from momentloop_infra.review.snapshot import snapshot_of
from momentloop_infra.review.summary import LIMITS, summary_markdown
from tests.review.repo import Repo, StackText

MERMAID = Path(__file__).with_name("mermaid")


def mermaid_blocks(markdown: str) -> list[str]:
    blocks, inside, current = [], False, []
    for line in markdown.splitlines():
        if line == "```mermaid":
            inside, current = True, []
        elif line == "```" and inside:
            blocks.append("\n".join(current) + "\n")
            inside = False
        elif inside:
            current.append(line)
    return blocks


def parse_with_mermaid(text: str) -> subprocess.CompletedProcess[str]:
    missing = [
        what
        for what, ok in (
            ("node", shutil.which("node") is not None),
            ("/usr/bin/chromium", Path(os.environ.get("CHROMIUM", "/usr/bin/chromium")).exists()),
            ("tests/review/mermaid/node_modules (npm ci)", (MERMAID / "node_modules" / "mermaid").is_dir()),
        )
        if not ok
    ]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install {', '.join(missing)} (scripts/test.sh does)")
        pytest.skip(f"needs {', '.join(missing)}: run scripts/test.sh")
    return subprocess.run(
        ["node", str(MERMAID / "parse.mjs")], input=text, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def changed(repo: Repo) -> str:
    """The summary of a change that adds a role, an administrator and a secret, and removes a role."""
    repo.write(StackText(access="read_write", secrets=("api-key", "new-key"), extra="web.connect(db)"))
    result = repo.run("summary")
    assert result.exit_code == 0, result.output
    return result.output


def test_the_summary_has_headline_security_matrix_flowchart_and_details(changed: str) -> None:
    assert changed.startswith("## Infrastructure review: `shop`\n")
    assert "- **default**: 3 added, 1 removed, 2 changed, 0 replaced; roles +1 -1; cost $38.30 → $38.30" in changed
    assert "- **scale-up**: " in changed
    assert "> [!WARNING]\n> 2 change(s) widen access (profile default)" in changed
    assert "| ⚠️ broadening | role | `shop/api` | granted Storage Blob Data Contributor | `shop/storage` |" in changed
    assert "| ⚠️ broadening | PostgreSQL admin | `shop/web` | made administrator | `shop/postgres` |" in changed
    assert "|  | Key Vault secret | `shop/vault` | added secret 'new-key' | `vault.newKeySecret` |" in changed
    # The RBAC matrix: apps x resources, the role in each cell, changes marked.
    assert (
        "| `shop/api` | PostgreSQL administrator | AcrPull | **+ Storage Blob Data Contributor**<br>~~Storage Blob Data Reader~~ | Key Vault Secrets User |"
        in changed
    )
    assert "| `shop/web` | **+ PostgreSQL administrator** | AcrPull | · | · |" in changed
    assert "<details><summary>Changed resources, profile default (" in changed


def test_the_flowchart_labels_edges_with_roles_and_mermaid_parses_it(changed: str) -> None:
    (chart,) = mermaid_blocks(changed)
    assert chart.startswith("flowchart LR\n")
    assert '  n_shop_api ==>|"added: Storage Blob Data Contributor"| n_shop_storage\n' in chart
    assert '  n_shop_api -.->|"removed: Storage Blob Data Reader"| n_shop_storage\n' in chart
    assert '  n_shop_web -->|"AcrPull"| n_shop_registry\n' in chart
    parsed = parse_with_mermaid(chart)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    assert parsed.stdout.startswith("ok flowchart")


def test_mermaid_rejects_a_broken_chart() -> None:
    """The parse check can fail: a chart with an unclosed label is refused."""
    parsed = parse_with_mermaid('flowchart LR\n  a -->|"unclosed| b[\n')
    assert parsed.returncode == 1
    assert "Parse error" in parsed.stdout


def test_a_summary_too_long_is_shortened_in_its_details_never_in_its_security_table() -> None:
    stack = load_stack(f"{Path(__file__).resolve().parents[2] / 'examples' / 'momentloop.py'}:stack")
    new = {p: snapshot_of(synthesize(stack, p, validate=False), "working tree") for p in ("default", "scale-up")}
    empty = {p: type(s).empty("momentloop", p, "(nothing)") for p, s in new.items()}
    reviews = [review(empty[p], new[p], parse_assumptions([])) for p in new]
    whole = summary_markdown(reviews, LIMITS["comment"])
    assert "left out" not in whole
    limit = len(whole) - 2000
    short = summary_markdown(reviews, limit)
    assert len(short) <= limit
    assert "left out to stay under GitHub's size limit" in short
    table_start = whole.index("### Security (profile default)")
    table = whole[table_start : whole.index("\n\n", whole.index("|", table_start))]
    assert table in short  # every security row, unshortened
    assert table.count("| ⚠️ broadening |") >= 10


def test_added_and_removed_apps_are_styled_and_mermaid_parses_the_chart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repo(tmp_path / "apps")
    monkeypatch.chdir(repo.root)
    old_app = 'worker = ContainerApp(stack, "worker", environment=env, registry=registry, ingress="none")\nworker.connect(vault)'
    new_app = 'jobs = ContainerApp(stack, "jobs", environment=env, registry=registry, ingress="none")\njobs.connect(storage, access="read")'
    repo.commit(StackText(extra=old_app))
    repo.write(StackText(extra=new_app))
    result = repo.run("summary")
    assert result.exit_code == 0, result.output
    (chart,) = mermaid_blocks(result.output)
    assert '  n_shop_jobs(["jobs<br/>container app (added)"])\n' in chart
    assert '  n_shop_worker(["worker<br/>container app (removed)"])\n' in chart
    assert '  n_shop_worker -.->|"removed: Key Vault Secrets User"| n_shop_vault\n' in chart
    assert "  class n_shop_jobs added\n" in chart and "  class n_shop_worker removed\n" in chart
    parsed = parse_with_mermaid(chart)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
