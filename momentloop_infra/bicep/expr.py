"""Bicep expressions that remember which symbols they read.

An expression is opaque text plus the set of symbols (params, resources, modules) it refers
to. The emitter never parses Bicep: dependencies and unused-parameter checks come from `refs`.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs


@attrs.frozen
class Expr:
    """A Bicep expression, rendered verbatim."""

    text: str
    refs: frozenset[str] = frozenset()

    def prop(self, path: str) -> Expr:
        """`expr.path`, e.g. `storage.properties.primaryEndpoints.blob`."""
        return Expr(f"{self.text}.{path}", self.refs)

    def __str__(self) -> str:
        return self.text


def ref(symbol: str) -> Expr:
    """A reference to a parameter, variable, resource or module by its symbol."""
    return Expr(symbol, frozenset({symbol}))


def output(module_symbol: str, name: str) -> Expr:
    """`module.outputs.name` in main.bicep."""
    return Expr(f"{module_symbol}.outputs.{name}", frozenset({module_symbol}))


def call(function: str, *args: object) -> Expr:
    """A function call whose arguments are values rendered by the serializer."""
    from momentloop_infra.bicep.serialize import render_inline

    rendered = [render_inline(a) for a in args]
    return Expr(f"{function}({', '.join(rendered)})", refs_of(args))


def interpolate(*parts: str | Expr) -> Expr:
    """A string literal with `${...}` holes: literal parts are escaped, expressions are not."""
    from momentloop_infra.bicep.serialize import escape_string_body

    text = "".join(escape_string_body(p) if isinstance(p, str) else "${" + p.text + "}" for p in parts)
    return Expr(f"'{text}'", refs_of(parts))


def refs_of(values: Iterable[object]) -> frozenset[str]:
    """Every symbol referenced anywhere inside the given values."""
    found: set[str] = set()
    stack: list[object] = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, Expr):
            found |= value.refs
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return frozenset(found)
