"""A BicepFile as text, printed directly: a large stack has a thousand module files, and a
template engine's per-attribute lookups were a third of writing them. Every value still goes
through the one serializer (bicep/serialize.py); the layout is Bicep's own (one blank line
between declarations, decorators above their parameter)."""

from __future__ import annotations

import attrs

from momentloop_infra.bicep.serialize import render, render_entries, render_key, string_literal
from momentloop_infra.model.records import BicepFile, ModuleCall, Param, Resource

_BOUNDS = (
    ("minLength", "min_length"),
    ("maxLength", "max_length"),
    ("minValue", "min_value"),
    ("maxValue", "max_value"),
)


def finish(text: str) -> str:
    """LF endings, no trailing blank lines, exactly one final newline."""
    return text.replace("\r\n", "\n").rstrip("\n") + "\n"


def decorators(param: Param) -> str:
    """The decorator lines above a parameter, each ending in a newline, in Bicep's usual order."""
    lines = []
    if param.description:
        lines.append(f"@description({string_literal(param.description)})\n")
    if param.secure:
        lines.append("@secure()\n")
    if param.allowed:
        lines.append(f"@allowed({render(list(param.allowed))})\n")
    for decorator, field in _BOUNDS:
        bound = getattr(param, field)
        if bound is not None:
            lines.append(f"@{decorator}({bound})\n")
    return "".join(lines)


def _depends_on(symbols: tuple[str, ...]) -> str:
    return "  dependsOn: [\n" + "".join(f"    {s}\n" for s in symbols) + "  ]\n"


def _field_type(field: Param) -> str:
    # Type properties take no @allowed: a union of the literals says the same.
    return " | ".join(string_literal(v) for v in field.allowed) if field.allowed else field.type


def _shape(param: Param) -> str:
    """`{ key: { field: type ... } ... }`, each field with the decorators of the parameter it
    replaces; `{ *: { ... } }` (a typed dictionary) when every key has the same fields."""
    keys = [("*", param.shape[0][1])] if param.uniform else [(render_key(k), f) for k, f in param.shape]
    lines = ["{"]
    for key, fields in keys:
        lines.append(f"  {key}: {{")
        for field in fields:
            bounds = decorators(attrs.evolve(field, allowed=()))
            lines += [f"    {line}" for line in bounds.splitlines()]
            lines.append(f"    {render_key(field.name)}: {_field_type(field)}")
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines)


def _param(param: Param) -> str:
    default = "" if param.default is None else f" = {render(param.default)}"
    type_text = _shape(param) if param.shape else param.type
    return f"{decorators(param)}param {param.name} {type_text}{default}\n\n"


def _resource(r: Resource) -> str:
    existing = "existing " if r.existing else ""
    condition = "" if r.condition is None else f"if ({r.condition.text}) "
    # A loop's condition filters its copies: `[for x in items(y): if (c) {`.
    loop = "" if r.loop is None else f"[for {r.loop.item} in items({r.loop.over}): "
    closing = "}" if r.loop is None else "}]"
    head = f"resource {r.symbol} {string_literal(r.type_ref)} {existing}= {loop}{condition}{{\n"
    skips = "".join(f"  // checkov:skip={s.rule}: {s.reason}\n" for s in r.suppressions)
    depends = _depends_on(r.depends_on) if r.depends_on else ""
    return f"{head}{skips}{render_entries(r.body, 1)}\n{depends}{closing}\n\n"


def _module(m: ModuleCall) -> str:
    scope = f"  scope: {m.scope}\n" if m.scope else ""
    depends = _depends_on(m.depends_on) if m.depends_on else ""
    opening, closing = ("{", "}") if m.loop is None else (f"[for {m.loop.item} in {m.loop.items}: {{", "}]")
    return (
        f"module {m.symbol} {string_literal(m.file)} = {opening}\n  name: {render(m.deployment_name)}\n"
        f"{scope}  params: {render(m.params, 1)}\n{depends}{closing}\n\n"
    )


def render_bicep(file: BicepFile) -> str:
    parts: list[str] = []
    if file.header:
        parts.append(f"{file.header}\n")
    if file.target_scope:
        parts.append(f"targetScope = {string_literal(file.target_scope)}\n\n")
    parts += [_param(p) for p in file.params]
    if file.variables:
        parts += [f"var {v.name} = {render(v.value)}\n" for v in file.variables]
        parts.append("\n")
    parts += [_resource(r) for r in file.resources]
    parts += [_module(m) for m in file.modules]
    parts += [f"output {o.name} {o.type} = {o.value.text}\n" for o in file.outputs]
    return finish("".join(parts))
