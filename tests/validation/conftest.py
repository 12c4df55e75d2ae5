"""Every example synthesized once per session, in memory and on disk (tmp dirs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from momentloop_infra.constructs.base import PROFILES
from momentloop_infra.loader import load_stack
from momentloop_infra.synth.assemble import assemble
from momentloop_infra.synth.output import Layout, render_files, write_files

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.py") if not p.name.startswith("_"))
OUTPUTS = [f"{example}-{profile}" for example in EXAMPLES for profile in PROFILES]


def synthesize(example: str, profile: str, out: Path) -> dict[str, str]:
    stack = load_stack(f"{REPO / 'examples' / example}.py:stack")
    layout = Layout.of(out, None, REPO)
    files = render_files(assemble(stack, profile), layout)
    write_files(files, layout)
    return files


@pytest.fixture(scope="session")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, str]]]:
    """name ('small-default') -> (its out dir, holding infra/ and azure.yaml; its files by path)."""
    root = tmp_path_factory.mktemp("synth")
    found: dict[str, tuple[Path, dict[str, str]]] = {}
    for example in EXAMPLES:
        for profile in PROFILES:
            name = f"{example}-{profile}"
            found[name] = (root / name, synthesize(example, profile, root / name))
    return found
