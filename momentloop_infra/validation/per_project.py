"""A value derived from a project, worked out once per project: several checks read the same one
(what each module parameter can receive, say), and over a large stack each pass costs milliseconds.

The last project is held by a weak reference and recognised by identity (a Project holds dicts:
it has no hash), so the value is never stale and a finished project is not kept alive for it.
Callers only read the value they get.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import TypeVar

from momentloop_infra.model.project import Project

T = TypeVar("T")


def per_project(derive: Callable[[Project], T]) -> Callable[[Project], T]:
    last: list[tuple[weakref.ref[Project], T]] = []

    @functools.wraps(derive)
    def derived(project: Project) -> T:
        if last and last[0][0]() is project:
            return last[0][1]
        value = derive(project)
        last[:] = [(weakref.ref(project), value)]
        return value

    return derived
