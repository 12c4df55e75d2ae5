"""The construct tree: every construct has a scope and an id; its path is the ids joined by `/`.

Tree plumbing lives on `construct.node`, so a construct's own attributes never collide with it.
"""

from __future__ import annotations

import re

from momentloop_infra.errors import Problem

ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Node:
    """A construct's place in the tree."""

    def __init__(self, host: Construct, scope: Construct | None, id: str) -> None:
        self.host = host
        self.scope = scope
        self.id = id
        self.children: dict[str, Construct] = {}
        self.problems: list[Problem] = []
        # A construct's scope and id never change: its path and unique id are worked out once.
        self._path = id if scope is None else f"{scope.node.path}/{id}"
        if scope is None or scope.node.scope is None:
            self._unique_id = id
        else:
            self._unique_id = f"{scope.node.unique_id}-{id}"

    @property
    def path(self) -> str:
        return self._path

    @property
    def unique_id(self) -> str:
        """The ids below the root joined by '-' ('shop-files' for stack/shop/files): what generated
        names, symbols and files derive from, so a construct used twice never collides. A top-level
        construct's is its id."""
        return self._unique_id

    @property
    def root(self) -> Construct:
        node = self
        while node.scope is not None:
            node = node.scope.node
        return node.host

    def add_problem(self, field: str, value: object, message: str) -> None:
        self.problems.append(Problem(self.path, field, value, message))

    def walk(self) -> list[Construct]:
        """This construct and every descendant, depth first, in declaration order."""
        found = [self.host]
        for child in self.children.values():
            found += child.node.walk()
        return found


class Construct:
    def __init__(self, scope: Construct | None, id: str) -> None:
        self.node = Node(self, scope, id)
        if not isinstance(id, str) or not ID_PATTERN.fullmatch(id):
            self.node.add_problem(
                "id",
                id,
                "ids are lowercase letters and digits in words joined by single hyphens, "
                "starting with a letter (for example 'backend' or 'media-store')",
            )
        if scope is not None:
            if id in scope.node.children:
                # Recorded on the parent: the duplicate is not in the tree, so its own list is never read.
                scope.node.problems.append(
                    Problem(
                        self.node.path,
                        "id",
                        id,
                        f"{scope.node.path!r} already has a child with this id; ids are unique per parent",
                    )
                )
            else:
                scope.node.children[id] = self
