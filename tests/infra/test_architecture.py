"""The shape of momentloop_infra, enforced: layers in one direction (import-linter), no import
cycle once type-checking imports are left out (grimp), and no import hidden in a function."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from tests.import_cycles import strongly_connected
from tests.infra.support import REPO

PACKAGE = REPO / "momentloop_infra"
CONTRACTS = ("infra-layers", "infra-records-only", "infra-connectable-kinds-independent")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_of_momentloop_infra_are_kept() -> None:
    args = [str(LINT_IMPORTS), "--no-cache"]
    for contract in CONTRACTS:
        args += ["--contract", contract]
    result = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The import cycles among `modules`."""
    return strongly_connected({m: graph.find_modules_directly_imported_by(m) & modules for m in modules})


@pytest.mark.parametrize("exclude_type_checking", [True, False], ids=["runtime", "with-type-checking"])
def test_momentloop_infra_has_no_import_cycle(exclude_type_checking: bool) -> None:
    """None at run time; and none even counting `if TYPE_CHECKING:` imports (only the package's
    __init__ has those: it loads its public names on first use, so it is left out)."""
    graph = grimp.build_graph("momentloop_infra", exclude_type_checking_imports=exclude_type_checking, cache_dir=None)
    modules = {m for m in graph.modules if m != "momentloop_infra"}
    assert len(modules) > 40
    assert _cycles(graph, modules) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "b", "c"):
        graph.add_module(name)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    assert _cycles(graph, {"a", "b", "c"}) == [["a", "b"]]


def _imports_in_functions(path: Path) -> list[int]:
    tree = ast.parse(path.read_text("utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines += [n.lineno for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
    return lines


def test_no_import_is_placed_inside_a_function() -> None:
    found = {
        str(path.relative_to(REPO)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _imports_in_functions(path))
    }
    assert found == {}
