"""Files from records: jinja2 templates (StrictUndefined), every value through the one serializer."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import jinja2

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.bicep.serialize import render, render_entries, string_literal
from momentloop_infra.model.records import BicepFile, Param, ParamValue

_PLAIN_YAML = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./-]*$")


def _symbols(names: Sequence[str]) -> list[Expr]:
    return [ref(n) for n in names]


def _decorators(param: Param) -> str:
    """The decorator lines above a parameter, each ending in a newline, in Bicep's usual order."""
    lines = []
    if param.description:
        lines.append(f"@description({string_literal(param.description)})")
    if param.secure:
        lines.append("@secure()")
    if param.allowed:
        lines.append(f"@allowed({render(list(param.allowed))})")
    for name, bound in (
        ("minLength", param.min_length),
        ("maxLength", param.max_length),
        ("minValue", param.min_value),
        ("maxValue", param.max_value),
    ):
        if bound is not None:
            lines.append(f"@{name}({bound})")
    return "".join(f"{line}\n" for line in lines)


def _env_value(value: ParamValue) -> str:
    if value.default is None:
        read = f"readEnvironmentVariable({string_literal(value.env)})"
    else:
        read = f"readEnvironmentVariable({string_literal(value.env)}, {string_literal(value.default)})"
    return {"string": read, "int": f"int({read})", "bool": f"bool({read})"}.get(value.type, read)


def _yaml(value: str) -> str:
    # Plain scalars where unambiguous; otherwise a JSON string, which is also a YAML string.
    if _PLAIN_YAML.match(value) and value.lower() not in {
        "true",
        "false",
        "null",
        "yes",
        "no",
        "on",
        "off",
        "~",
    }:
        return value
    return json.dumps(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("momentloop_infra.emit", "templates"),
        # Compiling the templates is a tenth of a synth's time: jinja keeps the compiled code in a
        # private folder under the temporary directory, keyed by each template's checksum.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["bicep"] = lambda value, level=0: render(value, level)
    env.filters["entries"] = lambda value, level: render_entries(value, level)
    env.filters["symbols"] = _symbols
    env.filters["env_value"] = _env_value
    env.filters["decorators"] = _decorators
    env.filters["yaml"] = _yaml
    return env


def finish(text: str) -> str:
    """LF endings, no trailing blank lines, exactly one final newline."""
    return text.replace("\r\n", "\n").rstrip("\n") + "\n"


def render_bicep(file: BicepFile) -> str:
    return finish(environment().get_template("file.bicep.j2").render(file=file))


def render_bicepparam(values: Sequence[ParamValue]) -> str:
    return finish(environment().get_template("main.bicepparam.j2").render(values=_grouped(values)))


def _grouped(values: Sequence[ParamValue]) -> list[ParamValue | str]:
    """Plain values as they are; the values of an object parameter as one assignment, an object of
    objects (construct key -> field -> its own environment variable)."""
    found: list[ParamValue | str] = []
    groups: dict[str, dict[str, list[ParamValue]]] = {}
    for value in values:
        if value.within is None:
            found.append(value)
            continue
        if value.name not in groups:
            groups[value.name] = {}
            found.append(value.name)
        groups[value.name].setdefault(value.within[0], []).append(value)
    text = {
        name: f"param {name} = {{\n"
        + "".join(
            f"  {key}: {{\n" + "".join(f"    {v.within[1]}: {_env_value(v)}\n" for v in members if v.within) + "  }\n"
            for key, members in keys.items()
        )
        + "}"
        for name, keys in groups.items()
    }
    return [text[v] if isinstance(v, str) else v for v in found]


def render_azure_yaml(context: Mapping[str, Any]) -> str:
    return finish(environment().get_template("azure.yaml.j2").render(**context))
