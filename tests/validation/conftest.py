"""Every example synthesized once per session, in memory and on disk (tmp dirs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from momentloop_infra.emit.files import Layout
from momentloop_infra.loader import load_stack
from momentloop_infra.pipeline import run
from momentloop_infra.pipeline.synthesize import synthesize as synthesize_stack
from momentloop_infra.profiles import PROFILES

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.stem for p in (REPO / "examples").glob("*.py") if not p.name.startswith("_"))
OUTPUTS = [f"{example}-{profile}" for example in EXAMPLES for profile in PROFILES]


def synthesize(example: str, profile: str, out: Path) -> dict[str, str]:
    stack = load_stack(f"{REPO / 'examples' / example}.py:stack")
    layout = Layout.of(out, None, REPO)
    return run.write(synthesize_stack(stack, profile), layout)


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
