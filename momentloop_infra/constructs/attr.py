"""Attr: a property of a deployed Resource as a main.bicep expression, and what its readers do
with one.

`bus.attr("name")` reads its module's output; `bus.attr("name") + ".servicebus.windows.net"` is a
string built from it (an f-string cannot be: Python would write the expression's text into the
string, so formatting an Attr is refused with the way to do it). An Attr remembers the
Resources it reads, for the checks (another stack's) and for a reader in the same module, which
reads the resource itself: passing a module its own output would make a cycle.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import attrs

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.bicep.functions import interpolate
from momentloop_infra.construct import Construct
from momentloop_infra.errors import Problem
from momentloop_infra.model.records import BicepType


@attrs.frozen(repr=False)
class Attr(Expr):
    """A Resource's property in main.bicep (its module's output), with its Bicep type. `local`
    is the same read inside the module holding the resource (`busOrders.name`), and `module` that
    module's symbol; a string built with `+` has `parts` instead (plain text, simple Attrs and
    other main.bicep expressions, such as `app.principal_id`)."""

    bicep_type: BicepType = "string"
    # Left out of the repr, which a problem's message shows: what was read, not how.
    local: str = attrs.field(default="", repr=False)
    module: str = attrs.field(default="", repr=False)
    parts: tuple[str | Expr, ...] = attrs.field(default=(), repr=False)
    # The Resource read, for the checks only: compared by identity, never part of equality.
    origin: Construct | None = attrs.field(default=None, eq=False, hash=False, repr=False)

    def __add__(self, other: object) -> Attr:
        if not isinstance(other, str | Expr):
            return NotImplemented
        return _joined(self, other)

    def __radd__(self, other: object) -> Attr:
        if not isinstance(other, str | Expr):
            return NotImplemented
        return _joined(other, self)

    def __format__(self, spec: str) -> str:
        raise TypeError(
            f"{self.text} is known only when Azure deploys, so it cannot go into an f-string or "
            "format(); build the string with +, e.g. bus.attr('name') + '.servicebus.windows.net'"
        )

    def __deepcopy__(self, memo: dict[int, object]) -> Attr:
        return self  # immutable, and a copy would copy the construct tree its origin is in

    def simple_parts(self) -> tuple[Attr, ...]:
        """The simple Attrs this one reads: itself, or those a built string joins."""
        return tuple(p for p in self.parts if isinstance(p, Attr)) if self.parts else (self,)

    def local_expr(self) -> Expr:
        """The read inside the module holding the resource (a simple Attr)."""
        return Expr(self.local, frozenset({self.local.split(".", 1)[0]}))


def _joined(left: str | Expr, right: str | Expr) -> Attr:
    parts: list[str | Expr] = []
    for side in (left, right):
        if isinstance(side, Attr) and side.parts:
            parts += side.parts
        elif side != "":
            parts.append(side)
    built = interpolate(*parts)
    return Attr(built.text, built.refs, "string", parts=tuple(parts))


def attrs_in(value: object) -> Iterator[Attr]:
    """Every simple Attr inside a value (dict keys and values, lists), in order."""
    if isinstance(value, Attr):
        yield from value.simple_parts()
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from attrs_in(k)
            yield from attrs_in(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from attrs_in(v)


def foreign_attrs(reader: Construct, field: str, value: object) -> list[Problem]:
    """A problem for each Attr in `value` that reads a Resource of another stack than `reader`'s."""
    found: list[Problem] = []
    for attr in attrs_in(value):
        if attr.origin is not None and attr.origin.node.root is not reader.node.root:
            found.append(
                Problem(
                    reader.node.path,
                    field,
                    attr.origin.node.path,
                    "reads a Resource of another stack; read only resources of the same stack",
                )
            )
    return found


def as_text(value: Expr) -> Expr:
    """`value` as a string, a plain Expr: an environment variable's value is text, and a property
    read as an int, bool, object or array is written through Bicep's string() (an object as its
    JSON)."""
    if isinstance(value, Attr):  # a plain expression from here on: records hold no Attr
        return Expr(value.text if value.bicep_type == "string" else f"string({value.text})", value.refs)
    return value
