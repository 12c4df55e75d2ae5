"""Module outputs within ARM's 64 per template: a module declaring more (a Resource read by many
attr()s: a queue's name each) declares one object output instead, and every read of them in
main.bicep goes through it (`bus.outputs.busOrdersName` -> `bus.outputs.attrs.busOrdersName`).
A module within the limit is left as it is."""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs

from momentloop_infra.bicep.code_text import code_segments
from momentloop_infra.bicep.expr import Expr, map_exprs, refs_of
from momentloop_infra.bicep.serialize import render
from momentloop_infra.model.arm_limits import MAX_OUTPUTS
from momentloop_infra.model.records import BicepFile, ModuleCall, Output

FOLDED = "attrs"
_OUTPUT_READ = re.compile(r"(?<![.\w'])([A-Za-z_]\w*)\.outputs\.([A-Za-z_]\w*)\b")


def fold_outputs(main: BicepFile, modules: Mapping[str, BicepFile]) -> tuple[BicepFile, dict[str, BicepFile]]:
    """`main` and `modules` with every module past MAX_OUTPUTS outputs declaring one object output
    of them all, and main.bicep reading them there."""
    crowded = {name: file for name, file in modules.items() if len(file.outputs) > MAX_OUTPUTS}
    if not crowded:
        return main, dict(modules)
    folded = dict(modules)
    for name, file in crowded.items():
        values = {o.name: o.value for o in file.outputs}
        whole = Output(FOLDED, "object", Expr(render(values, 0), refs_of(values.values())), generated=True)
        folded[name] = attrs.evolve(file, outputs=(whole,))
    moved = {c.symbol: {o.name for o in crowded[c.file].outputs} for c in main.modules if c.file in crowded}

    def swap(match: re.Match[str]) -> str:
        symbol, output = match.group(1), match.group(2)
        if output not in moved.get(symbol, ()):
            return match.group(0)
        return f"{symbol}.outputs.{FOLDED}.{output}"

    def redirect(expr: Expr) -> Expr:
        if moved.keys().isdisjoint(expr.refs):
            return expr
        text = "".join(_OUTPUT_READ.sub(swap, part) if code else part for code, part in code_segments(expr.text))
        return Expr(text, expr.refs)

    def call(c: ModuleCall) -> ModuleCall:
        params = {k: map_exprs(v, redirect) for k, v in c.params.items()}
        return c if params == c.params else attrs.evolve(c, params=params)

    main = attrs.evolve(
        main,
        modules=tuple(call(c) for c in main.modules),
        outputs=tuple(attrs.evolve(o, value=redirect(o.value)) for o in main.outputs),
        variables=tuple(attrs.evolve(v, value=map_exprs(v.value, redirect)) for v in main.variables),
    )
    return main, folded
