"""Bicep expressions that remember which symbols they read.

An expression is opaque text plus the set of symbols (params, resources, modules) it refers
to. The emitter never parses Bicep: dependencies and unused-parameter checks come from `refs`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping

import attrs

from momentloop_infra.field_repr import FieldRepr


@attrs.frozen(repr=False)
class Expr(FieldRepr):
    """A Bicep expression, rendered verbatim."""

    text: str
    refs: frozenset[str] = frozenset()

    def prop(self, path: str) -> Expr:
        """`expr.path`, e.g. `storage.properties.primaryEndpoints.blob`."""
        return Expr(f"{self.text}.{path}", self.refs)

    def __str__(self) -> str:
        return self.text


@functools.lru_cache(maxsize=16384)  # bounded: a long-lived process may synthesize many stacks
def ref(symbol: str) -> Expr:
    """A reference to a parameter, variable, resource or module by its symbol (one shared record
    per symbol: a large stack makes tens of thousands of `ref('location')`)."""
    return Expr(symbol, frozenset((symbol,)))


@functools.lru_cache(maxsize=16384)  # bounded: like ref(); every app reads its environment's id
def output(module_symbol: str, name: str) -> Expr:
    """`module.outputs.name` in main.bicep."""
    return Expr(f"{module_symbol}.outputs.{name}", frozenset({module_symbol}))


def map_exprs(value: object, change: Callable[[Expr], object]) -> object:
    """`value` with `change` applied to every expression inside it (dicts, lists and tuples walked);
    the same object, not a copy, wherever nothing in it changed."""
    if isinstance(value, Expr):
        return change(value)
    if isinstance(value, dict):
        items = {k: map_exprs(v, change) for k, v in value.items()}
        return value if all(items[k] is v for k, v in value.items()) else items
    if isinstance(value, list | tuple):
        found = [map_exprs(v, change) for v in value]
        return value if all(a is b for a, b in zip(found, value, strict=True)) else found
    return value


def refs_of(values: Iterable[object]) -> frozenset[str]:
    """Every symbol referenced anywhere inside the given values."""
    found: set[str] = set()
    nested: list[object] = []
    for value in values:  # most are expressions or plain values: no stack for them
        kind = type(value)
        if kind is Expr:
            found.update(value.refs)  # type: ignore[attr-defined]  # `kind is Expr` does not narrow
        elif kind is not str and kind is not int and kind is not bool and value is not None:
            nested.append(value)
    while nested:
        value = nested.pop()
        kind = type(value)  # concrete types first: most leaves are strings, most nodes dicts
        if kind is str or kind is int or kind is bool or value is None:
            continue
        if kind is Expr:
            found |= value.refs  # type: ignore[attr-defined]  # `kind is Expr` does not narrow
        elif kind is dict or isinstance(value, Mapping):
            nested.extend(value.keys())  # type: ignore[attr-defined]  # a Mapping, checked just above
            nested.extend(value.values())  # type: ignore[attr-defined]
        elif isinstance(value, list | tuple):
            nested.extend(value)
        elif isinstance(value, Expr):  # a subclass
            found |= value.refs
    return frozenset(found)
