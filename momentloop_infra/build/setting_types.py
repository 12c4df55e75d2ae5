"""How a setting's annotation accepts a value: one conformer per type, built once per field.

The types construct settings use: int, bool, str, Decimal, Literal[...], Optional, tuple[str, ...],
dict[K, V] and Any. A conformer returns the value as the field holds it (a list of names becomes a
tuple, a float CPU a Decimal) or raises Invalid with pydantic's wording, which our users know.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Union, get_args, get_origin

Conformer = Callable[[object], object]


class Invalid(ValueError):
    """A value the annotation refuses; `where` is the path inside it ('0' for a list's first item)."""

    def __init__(self, message: str, value: object, where: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.where = where


def _options(values: tuple[object, ...]) -> str:
    shown = [repr(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _any(value: object) -> object:
    return value


def _int(value: object) -> object:
    if type(value) is int:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    raise Invalid("Input should be a valid integer", value)


def _bool(value: object) -> object:
    if isinstance(value, bool):
        return value
    raise Invalid("Input should be a valid boolean", value)


def _str(value: object) -> object:
    if isinstance(value, str):
        return value
    raise Invalid("Input should be a valid string", value)


def _decimal(value: object) -> object:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            found = Decimal(str(value))
        except InvalidOperation:
            pass
        else:
            if found.is_finite():
                return found
    raise Invalid("Input should be a valid decimal", value)


def _literal(options: tuple[object, ...]) -> Conformer:
    allowed = frozenset(options)
    message = f"Input should be {_options(options)}"

    def conform(value: object) -> object:
        if isinstance(value, str | int) and value in allowed:
            return value
        raise Invalid(message, value)

    return conform


def _optional(inner: Conformer) -> Conformer:
    def conform(value: object) -> object:
        return None if value is None else inner(value)

    return conform


def _tuple_of(item: Conformer) -> Conformer:
    def conform(value: object) -> object:
        if not isinstance(value, list | tuple):
            raise Invalid("Input should be a valid list", value)
        found = []
        for index, element in enumerate(value):
            try:
                found.append(item(element))
            except Invalid as exc:
                raise Invalid(exc.message, exc.value, (str(index), *exc.where)) from None
        return tuple(found)

    return conform


def _dict_of(key: Conformer, item: Conformer) -> Conformer:
    def conform(value: object) -> object:
        if not isinstance(value, Mapping):
            raise Invalid("Input should be a valid dictionary", value)
        found = {}
        for k, v in value.items():
            try:
                found[key(k)] = item(v)
            except Invalid as exc:
                raise Invalid(exc.message, exc.value, (str(k), *exc.where)) from None
        return found

    return conform


_SIMPLE: dict[object, Conformer] = {Any: _any, int: _int, bool: _bool, str: _str, Decimal: _decimal}


def conformer(annotation: object) -> Conformer:
    """The conformer of a resolved annotation; a type settings do not use is a TypeError at import."""
    simple = _SIMPLE.get(annotation)
    if simple is not None:
        return simple
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return _literal(args)
    if origin in (Union, types.UnionType) and type(None) in args:
        rest = tuple(a for a in args if a is not type(None))
        if len(rest) == 1:
            return _optional(conformer(rest[0]))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _tuple_of(conformer(args[0]))
    if origin is dict and len(args) == 2:
        return _dict_of(conformer(args[0]), conformer(args[1]))
    raise TypeError(f"settings cannot hold {annotation!r}")
