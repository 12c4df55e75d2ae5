"""The one Bicep value serializer: every value in every generated file goes through here.

Rules (after Bicep's own printer): two-space indent, one property per line, keys bare when
they are identifiers and quoted otherwise, `None` dropped, escaping in exactly one place,
and anything it cannot render refused with its type named.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence

from momentloop_infra.bicep.expr import Expr

INDENT = "  "
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class UnrenderableValue(TypeError):
    """A value of a type the serializer does not know how to write as Bicep."""


_NEEDS_ESCAPE = re.compile(r"[\\'$\x00-\x1f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape_string_body(text: str) -> str:
    """Escape text for the inside of a single-quoted Bicep string literal.

    Order matters: the backslash first, then the quote, then `${`, then control characters.
    """
    if not _NEEDS_ESCAPE.search(text):
        return text
    out = text.replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${")
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return _CONTROL.sub(lambda m: f"\\u{{{ord(m.group()):X}}}", out)


def string_literal(text: str) -> str:
    return f"'{escape_string_body(text)}'"


@functools.lru_cache(maxsize=16384)  # bounded: a long-lived process may render many stacks
def is_identifier(key: str) -> bool:
    return bool(_IDENTIFIER.fullmatch(key))


def render_key(key: str | Expr) -> str:
    if type(key) is str and is_identifier(key):  # most keys: bare names
        return key
    if isinstance(key, Expr):
        return key.text
    return key if is_identifier(key) else string_literal(key)


def render_number(value: float) -> str:
    if not math.isfinite(value):
        raise UnrenderableValue(f"cannot render the non-finite number {value!r} as Bicep")
    if value == int(value) and abs(value) < 2**53:
        return str(int(value))
    # Bicep integers only: a fraction goes through json(), as the azd scaffold writes `json('0.5')`.
    return f"json('{value!r}')"


def render_inline(value: object) -> str:
    """A scalar or expression on one line (arrays and objects use `render`)."""
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return render_number(value)
    if isinstance(value, str):
        return string_literal(value)
    if value is None:
        return "null"
    if isinstance(value, Mapping | list | tuple):
        return render(value, 0)
    raise UnrenderableValue(f"cannot render a value of type {type(value).__name__} as Bicep")


def render(value: object, level: int = 0) -> str:
    """Render any value; nested objects and arrays open on the current line, close at `level`."""
    # Concrete types first: the abstract Mapping/Sequence checks are slow on large stacks.
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, dict) or (not isinstance(value, list | tuple) and isinstance(value, Mapping)):
        inner = INDENT * (level + 1)
        lines = [f"{inner}{render_key(k)}: {_nested(v, level + 1)}" for k, v in value.items() if v is not None]
        if not lines:
            return "{}"
        return "{\n" + "\n".join(lines) + "\n" + INDENT * level + "}"
    if isinstance(value, list | tuple) or (isinstance(value, Sequence) and not isinstance(value, bytes | bytearray)):
        inner = INDENT * (level + 1)
        lines = [f"{inner}{_nested(v, level + 1)}" for v in value if v is not None]
        if not lines:
            return "[]"
        return "[\n" + "\n".join(lines) + "\n" + INDENT * level + "]"
    return render_inline(value)


def _nested(value: object, level: int) -> str:
    """`render` of a member: text and expressions, most members, without the type checks."""
    kind = type(value)
    if kind is str:
        return string_literal(value)  # type: ignore[arg-type]  # `kind is` does not narrow
    if kind is Expr:
        text: str = value.text  # type: ignore[attr-defined]
        return text
    return render(value, level)


def render_entries(value: Mapping[str, object] | Mapping[str | Expr, object], level: int) -> str:
    """The `key: value` lines of an object body, without braces (for resource bodies)."""
    inner = INDENT * level
    return "\n".join(f"{inner}{render_key(k)}: {render(v, level)}" for k, v in value.items() if v is not None)
