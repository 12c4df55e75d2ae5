"""How a setting's annotation accepts a value: one conformer per type, built once per field.

The types construct settings use: int, bool, str, Decimal, Literal[...], Optional, tuple[str, ...],
dict[K, V] and Any. A conformer returns the value as the field holds it (a list of names becomes a
tuple, a float CPU a Decimal, a str subclass such as a `(str, Enum)` member its plain text) or
raises Invalid. The messages read like pydantic's, which constructs used before, and what each type
takes is what pydantic's lax mode took, except sets for lists: a set has no order, and the output
must not depend on one.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Union, get_args, get_origin

Conformer = Callable[[object], object]

_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


class Invalid(ValueError):
    """Values the annotation refuses: this one, or each refused item of a list or dictionary.
    `where` is the path inside the value ('0' for a list's first item, 'KEY.[key]' for a key)."""

    def __init__(self, message: str, value: object, where: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.where = where
        self.items: list[Invalid] = []

    @classmethod
    def of_items(cls, items: list[Invalid]) -> Invalid:
        leaves = [leaf for item in items for leaf in item.each()]  # nested lists: kept flat
        found = cls(leaves[0].message, leaves[0].value, leaves[0].where)
        found.items = leaves
        return found

    def each(self) -> list[Invalid]:
        """Every refused value, one per item when the refusal is a list's or a dictionary's."""
        return self.items or [self]

    def inside(self, *where: str) -> Invalid:
        """The same refusal, one level down (the item at `where`)."""
        if not self.items:
            return Invalid(self.message, self.value, (*where, *self.where))
        return Invalid.of_items([item.inside(*where) for item in self.items])


def _options(values: tuple[object, ...]) -> str:
    shown = [repr(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def _any(value: object) -> object:
    return value


def _int(value: object) -> object:
    if isinstance(value, bool):  # True is an int to Python, never a port or a size
        raise Invalid("Input should be a valid integer", value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise Invalid("Input should be a valid integer", value)


def _bool(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise Invalid("Input should be a valid boolean", value)


def _str(value: object) -> object:
    if isinstance(value, str):
        return str.__str__(value)  # the text itself, not a subclass's (an enum member's) str()
    raise Invalid("Input should be a valid string", value)


def _decimal(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise Invalid("Input should be a valid decimal", value)
    try:
        found = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise Invalid("Input should be a valid decimal", value) from None
    if not found.is_finite():
        raise Invalid("Input should be a finite number", value)
    return found


def _literal(options: tuple[object, ...]) -> Conformer:
    allowed = {option: option for option in options}
    message = f"Input should be {_options(options)}"

    def conform(value: object) -> object:
        try:
            return allowed[str.__str__(value) if isinstance(value, str) else value]
        except (KeyError, TypeError):  # not an option, or not even hashable
            raise Invalid(message, value) from None

    return conform


def _optional(inner: Conformer) -> Conformer:
    def conform(value: object) -> object:
        return None if value is None else inner(value)

    return conform


def _tuple_of(item: Conformer) -> Conformer:
    def conform(value: object) -> object:
        if not isinstance(value, list | tuple):
            raise Invalid("Input should be a valid list (a list or a tuple: a set has no order)", value)
        found, refused = [], []
        for index, element in enumerate(value):
            try:
                found.append(item(element))
            except Invalid as exc:
                refused.append(exc.inside(str(index)))
        if refused:
            raise Invalid.of_items(refused)
        return tuple(found)

    return conform


def _dict_of(key: Conformer, item: Conformer) -> Conformer:
    def conform(value: object) -> object:
        if not isinstance(value, Mapping):
            raise Invalid("Input should be a valid dictionary", value)
        found, refused = {}, []
        for k, v in value.items():
            try:
                conformed_key = key(k)
            except Invalid as exc:
                refused.append(exc.inside(str(k), "[key]"))
                continue
            try:
                found[conformed_key] = item(v)
            except Invalid as exc:
                refused.append(exc.inside(str(k)))
        if refused:
            raise Invalid.of_items(refused)
        return found

    return conform


_SIMPLE: dict[object, Conformer] = {Any: _any, int: _int, bool: _bool, str: _str, Decimal: _decimal}
NUMBERS = (int, Decimal)


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


def is_number(annotation: object) -> bool:
    """Whether bounds (ge=, le=) apply: an int or Decimal, or one of them or None."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        return len(rest) == 1 and rest[0] in NUMBERS
    return annotation in NUMBERS
