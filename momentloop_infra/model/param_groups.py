"""Object parameters that group a kind's settings (`containerAppSettings.backend.cpu`): how they
are named, declared and read. Built in two places with the same result: while constructs expand,
for a stack certain to pass 256 parameters, and afterwards from plain parameters for the rest."""

from __future__ import annotations

import functools

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.model.records import Param, copy_param


@functools.lru_cache(maxsize=256)  # bounded: keyed by construct class names
def group_name(kind: str) -> str:
    """The object parameter of a kind (a construct class name): `ContainerApp` → `containerAppSettings`."""
    return f"{kind[:1].lower()}{kind[1:]}Settings"


def grouped_read(group: str, key: str, field: str) -> Expr:
    """How main.bicep reads one setting from its group: `containerAppSettings.backend.cpu`."""
    return Expr(f"{group}.{key}.{field}", _reads(group))


@functools.lru_cache(maxsize=256)  # bounded: one per group
def _reads(group: str) -> frozenset[str]:
    return frozenset((group,))


def as_field(param: Param, name: str) -> Param:
    """The parameter as a field of a grouping object: the same type, bounds and allowed values."""
    return copy_param(param, name=name, default=None, generated=param.generated)


def group_param(group: str, shape: dict[str, list[Param]]) -> Param:
    """The declaration of a group: each construct's fields, typed and bounded as the plain parameters were."""
    kind = group.removesuffix("Settings")
    return Param(
        group,
        "object",
        description=f"The settings of every {kind[:1].upper()}{kind[1:]}, by construct; each read from its own "
        "environment variable in main.bicepparam.",
        generated=True,
        shape=tuple((key, tuple(fields)) for key, fields in shape.items()),
    )
