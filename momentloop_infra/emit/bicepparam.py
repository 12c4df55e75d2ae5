"""main.bicepparam: one assignment per parameter, each read from its environment variable (azd
sets them), and an object parameter as one object of construct -> field -> its own variable."""

from __future__ import annotations

from collections.abc import Sequence

from momentloop_infra.bicep.serialize import string_literal
from momentloop_infra.emit.bicep_file import finish
from momentloop_infra.model.records import ParamValue

_CASTS = {"int": "int({})", "bool": "bool({})"}


def env_value(value: ParamValue) -> str:
    if value.default is None:
        read = f"readEnvironmentVariable({string_literal(value.env)})"
    else:
        read = f"readEnvironmentVariable({string_literal(value.env)}, {string_literal(value.default)})"
    return _CASTS.get(value.type, "{}").format(read)


def _assignments(values: Sequence[ParamValue]) -> list[str]:
    """Plain values one line each; the values of an object parameter as one assignment, where the
    first of them stood."""
    lines: list[str] = []
    groups: dict[str, dict[str, list[ParamValue]]] = {}
    for value in values:
        if value.within is None:
            lines.append(f"param {value.name} = {env_value(value)}")
            continue
        if value.name not in groups:
            groups[value.name] = {}
            lines.append(value.name)  # replaced by the whole object below
        groups[value.name].setdefault(value.within[0], []).append(value)
    objects = {
        name: f"param {name} = {{\n"
        + "".join(
            f"  {key}: {{\n" + "".join(f"    {v.within[1]}: {env_value(v)}\n" for v in members if v.within) + "  }\n"
            for key, members in keys.items()
        )
        + "}"
        for name, keys in groups.items()
    }
    return [objects.get(line, line) for line in lines]


def render_bicepparam(values: Sequence[ParamValue]) -> str:
    return finish("using './main.bicep'\n\n" + "".join(f"{line}\n" for line in _assignments(values)))
