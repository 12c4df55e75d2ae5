"""Bicep function calls and string interpolation: expressions built from serialized values."""

from __future__ import annotations

from momentloop_infra.bicep.expr import Expr, refs_of
from momentloop_infra.bicep.serialize import escape_string_body, render_inline


def call(function: str, *args: object) -> Expr:
    """A function call whose arguments are values rendered by the serializer."""
    rendered = [render_inline(a) for a in args]
    return Expr(f"{function}({', '.join(rendered)})", refs_of(args))


def interpolate(*parts: str | Expr) -> Expr:
    """A string literal with `${...}` holes: literal parts are escaped, expressions are not."""
    text = "".join(escape_string_body(p) if isinstance(p, str) else "${" + p.text + "}" for p in parts)
    return Expr(f"'{text}'", refs_of(parts))
