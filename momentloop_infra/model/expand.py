"""A file's module loops read back as the plain calls they stand for: one call per item, named by
the item's `symbol`, its arguments with the item's values written in, and reads of a copy
(`storage[3].outputs.x`) as reads of that call (`store_7.outputs.x`). What a reviewer, a rule or a
test sees of a copy, whatever the layout."""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from momentloop_infra.bicep.expr import Expr, map_exprs
from momentloop_infra.bicep.serialize import render_inline
from momentloop_infra.model.records import BicepFile, ModuleCall

_COPY = re.compile(r"\b([A-Za-z_]\w*)\[(\d+)\]")
_KEY = re.compile(r"\[('[A-Za-z_]\w*')\]")


def loop_items(file: BicepFile, call: ModuleCall) -> list[Mapping[str, object]]:
    """The items of a loop call, from the file's variable."""
    assert call.loop is not None
    rows = next((v.value for v in file.variables if v.name == call.loop.items), None)
    if not isinstance(rows, list):
        raise ValueError(f"{call.symbol}: no items variable {call.loop.items!r}")
    return [row for row in rows if isinstance(row, Mapping)]


def expand_loops(file: BicepFile) -> BicepFile:
    """`file` with every loop call replaced by its copies as plain calls (and its items variable
    dropped); a file without loops as it is."""
    loops = [c for c in file.modules if c.loop is not None]
    if not loops:
        return file
    symbols = {c.symbol: [str(row["symbol"]) for row in loop_items(file, c)] for c in loops}
    modules: list[ModuleCall] = []
    for call in file.modules:
        if call.loop is None:
            modules.append(_plain(call, {}, symbols, None))
            continue
        item = call.loop.item
        paths = call.loop.paths or (call.path,) * call.loop.count
        for row, symbol, path in zip(loop_items(file, call), symbols[call.symbol], paths, strict=True):
            values = {f"{item}.{k}": v for k, v in row.items()}
            name = _substitute(call.deployment_name, values, symbols, item)
            copy = _plain(call, values, symbols, item)
            modules.append(
                attrs.evolve(
                    copy,
                    symbol=symbol,
                    path=path,
                    deployment_name=name if isinstance(name, str | Expr) else str(name),
                    loop=None,
                )
            )
    items = {c.loop.items for c in loops if c.loop is not None}
    outputs = tuple(attrs.evolve(o, value=_expr(o.value, {}, symbols, None)) for o in file.outputs)
    return attrs.evolve(
        file,
        modules=tuple(modules),
        variables=tuple(v for v in file.variables if v.name not in items),
        outputs=outputs,
    )


Symbols = Mapping[str, list[str]]  # loop symbol -> the symbol of each copy


def _plain(call: ModuleCall, values: Mapping[str, object], symbols: Symbols, item: str | None) -> ModuleCall:
    params = {k: _substitute(v, values, symbols, item) for k, v in call.params.items()}
    depends = tuple(_expr(Expr(d, frozenset()), values, symbols, item).text for d in call.depends_on)
    return attrs.evolve(call, params=params, depends_on=depends)


def _substitute(value: object, values: Mapping[str, object], symbols: Symbols, item: str | None) -> object:
    # An argument that is the item's value entirely becomes that value (a literal, a name).
    return map_exprs(value, lambda e: values[e.text] if e.text in values else _expr(e, values, symbols, item))


def _expr(expr: Expr, values: Mapping[str, object], symbols: Symbols, item: str | None) -> Expr:
    text = expr.text
    refs = set(expr.refs)
    for key, value in sorted(values.items(), key=lambda kv: -len(kv[0])):
        if key in text:
            written = value.text if isinstance(value, Expr) else render_inline(value)
            text = re.compile(rf"(?<![\w.]){re.escape(key)}\b").sub(written.replace("\\", "\\\\"), text)
            if isinstance(value, Expr):
                refs |= value.refs
    if item is not None:
        refs.discard(item)

    def copy(match: re.Match[str]) -> str:
        collection, index = match.group(1), int(match.group(2))
        if collection not in symbols:
            return match.group(0)
        refs.discard(collection)
        refs.add(symbols[collection][index])
        return symbols[collection][index]

    text = _COPY.sub(copy, text)
    text = _KEY.sub(lambda m: "." + m.group(1)[1:-1], text)  # group1['store_7__x'] -> group1.store_7__x
    return Expr(text, frozenset(refs))
