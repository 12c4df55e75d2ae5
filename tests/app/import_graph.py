"""Import cycles of a package, from grimp's import graph. ``python -m tests.app.import_graph PACKAGE``
prints them as JSON (for a copy of the package placed first on PYTHONPATH)."""

from __future__ import annotations

import json
import sys

import grimp


def cycles(package: str) -> list[list[str]]:
    """The import cycles among ``package``'s modules (strongly connected components of 2+ modules),
    type-checking-only imports excluded."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    imports = {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    return _strongly_connected(imports)


def _strongly_connected(imports: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; only components that are cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(sorted(imports[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


if __name__ == "__main__":
    print(json.dumps(cycles(sys.argv[1])))
