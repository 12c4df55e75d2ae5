"""Resolved property values: plain JSON values, or an expression Azure evaluates at deployment."""

from __future__ import annotations

import json
from collections.abc import Mapping

import attrs

from momentloop_infra.field_repr import FieldRepr


@attrs.frozen(repr=False)
class Opaque(FieldRepr):
    """A Bicep expression known only at deployment (a name with the resource token, an output)."""

    text: str

    def __str__(self) -> str:
        return self.text


Value = object  # None, bool, int, float, str, Opaque, list of Value, dict of str -> Value


def show(value: Value) -> str:
    """One value on one line, as a reviewer reads it: strings quoted, expressions bare."""
    if value is None:
        return "(none)"
    if isinstance(value, Opaque):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, Mapping | list):
        return json.dumps(plain(value), sort_keys=True)
    return str(value)


def plain(value: Value) -> object:
    """The value as JSON data (an expression becomes {"expression": text})."""
    if isinstance(value, Opaque):
        return {"expression": value.text}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def flatten(value: Value, prefix: str = "") -> dict[str, Value]:
    """Leaves by dotted path; array elements by their `name` when every element has a distinct one."""
    if isinstance(value, Mapping):
        if not value:
            return {prefix: {}} if prefix else {}
        out: dict[str, Value] = {}
        for key, item in value.items():
            if item is None:
                continue  # not written to the template, as the serializer drops it
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list | tuple):
        if not value:
            return {prefix: []}
        names = [v.get("name") if isinstance(v, Mapping) else None for v in value]
        keyed = all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{names[index] if keyed else index}]"))
        return out
    return {prefix: value}
