"""The README's "Reviewing a pull request" examples are real output: the cost example is
what `momentloop-synth cost` prints today for examples/momentloop.py."""

from __future__ import annotations

import re

from click.testing import CliRunner

from momentloop_infra.cli import main
from tests.infra.support import REPO


def test_the_readme_cost_example_is_current_output() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("### Reviewing a pull request", 1)[1]
    block = re.search(r"`momentloop-synth cost` on this repository's stack.*?\n```\n(.*?)^```\n", section, re.S | re.M)
    assert block, "the README shows a cost example"
    output = CliRunner().invoke(main, ["--app", f"{REPO / 'examples' / 'momentloop.py'}:stack", "cost"]).output
    shown = [
        line
        for line in block.group(1).splitlines()
        if line.strip() and not line.startswith(("(", "prices:")) and line.strip() != "..."
    ]
    assert len(shown) > 20
    missing = [line for line in shown if line not in output.splitlines()]
    assert not missing, f"README lines that `momentloop-synth cost` no longer prints: {missing}"
