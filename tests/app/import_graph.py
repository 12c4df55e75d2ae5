"""Import cycles of a package, from grimp's import graph. ``python -m tests.app.import_graph PACKAGE``
prints them as JSON (for a copy of the package placed first on PYTHONPATH)."""

from __future__ import annotations

import json
import sys

import grimp

from tests.import_cycles import strongly_connected


def cycles(package: str) -> list[list[str]]:
    """The import cycles among ``package``'s modules (strongly connected components of 2+ modules),
    type-checking-only imports excluded."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    return strongly_connected(imports)


if __name__ == "__main__":
    print(json.dumps(cycles(sys.argv[1])))
