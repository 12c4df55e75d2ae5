"""Fit main.bicep into Azure Resource Manager's per-template limits, whatever the stack's size.

Two steps, each taken only when the plain layout would not fit (the MomentLoop stack and every
small stack keep theirs):

1. Parameters. Past 256, each kind's settings become one object parameter
   (`containerAppSettings.backend.cpu`), still assigned in main.bicepparam from one environment
   variable per setting, so `azd env set BACKEND_CPU 0.5` keeps working.
2. Module deployments. Past 800, the module calls (already in dependency order) are split into
   grouping modules (`group-1.bicep`, ...) of at most 800 calls each, deployed by main.bicep. A
   group reads what it needs of earlier groups through one object output each (`values`), so a
   group depends only on the groups it uses, and never on a later one. A group's deployment is one
   resource of main.json, within Azure's 1 MB only while the module templates it holds (one per
   distinct file) and its calls fit: where like-sized groups would not, the calls are split by
   size as well (many distinct module files).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import attrs

from momentloop_infra.bicep.expr import Expr, map_exprs, ref, refs_of
from momentloop_infra.bicep.serialize import render
from momentloop_infra.model.arm_limits import MAX_PARAMS, MAX_RESOURCES
from momentloop_infra.model.param_groups import as_field, group_name, group_param
from momentloop_infra.model.records import BicepFile, BicepType, ModuleCall, Output, Param, ParamValue
from momentloop_infra.validation.template_size import module_template_bytes

MAIN_VARIABLE_TYPES: dict[str, BicepType] = {"abbrs": "object", "resourceToken": "string", "tags": "object"}
# What a group's deployment may hold, estimated before its calls become loops, with room for the
# estimate's error below Azure's 1 MB (MAX_RESOURCE_BYTES, which ML210 checks on the real thing).
GROUP_BUDGET_BYTES = 768 * 1024
# A call's own share of its group, compiled: a copy of a loop is an item row; a call alone of its
# file stays a whole declaration.
LOOP_COPY_BYTES = 600
PLAIN_CALL_BYTES = 2500


def fit_params(
    main: BicepFile, values: Sequence[ParamValue], owners: Mapping[str, tuple[str, str, str]]
) -> tuple[BicepFile, tuple[ParamValue, ...]]:
    """main.bicep with each kind's parameters grouped into one object, when they do not fit."""
    if len(main.params) <= MAX_PARAMS:
        return main, tuple(values)
    renamed: dict[str, str] = {}
    params: list[Param | str] = []  # a group's name where its parameter goes
    shapes: dict[str, dict[str, list[Param]]] = {}
    fields_seen: dict[Param, Param] = {}
    for param in main.params:
        owner = owners.get(param.name)
        if owner is None or param.secure:
            params.append(param)
            continue
        kind, key, field = owner
        group = group_name(kind)
        renamed[param.name] = f"{group}.{key}.{field}"
        if group not in shapes:
            shapes[group] = {}
            params.append(group)
        # The field keeps the type, bounds and allowed values of the parameter it replaces.
        declared = as_field(param, field)
        # One record per distinct field: like keys then share theirs, and compare at once.
        shapes[group].setdefault(key, []).append(fields_seen.setdefault(declared, declared))
    grouped_params = tuple(item if isinstance(item, Param) else group_param(item, shapes[item]) for item in params)
    placed = {name: (owners[name][1], owners[name][2]) for name in renamed}
    grouped = tuple(
        ParamValue(renamed[v.name].split(".", 1)[0], v.env, v.type, v.default, within=placed[v.name])
        if v.name in renamed
        else v
        for v in values
    )
    calls = tuple(_call_with(c, _rewrite(c.params, renamed, {}), c.depends_on, c.scope) for c in main.modules)
    outputs = tuple(attrs.evolve(o, value=_rewrite_expr(o.value, renamed, {})) for o in main.outputs)
    return attrs.evolve(main, params=grouped_params, modules=calls, outputs=outputs), grouped


def fit_modules(
    main: BicepFile,
    modules: Mapping[str, BicepFile],
    reads_of: Mapping[str, frozenset[str]] | None = None,
    budget: int = GROUP_BUDGET_BYTES,
) -> tuple[BicepFile, dict[str, BicepFile]]:
    """main.bicep calling grouping modules, and those modules, when its calls do not fit; `modules`
    are the files the calls deploy. `reads_of` may give what a call's arguments read, by its symbol
    (Synthesis.reads), to save working it out; `budget`, what one group's deployment may hold."""
    known = reads_of or {}
    calls = list(main.modules)
    if len(calls) + len(main.resources) <= MAX_RESOURCES:
        return main, {}
    chunks = _chunks(calls, modules, budget)
    group_of = {call.symbol: index for index, chunk in enumerate(chunks) for call in chunk}
    main_params = {p.name: p for p in main.params}
    exported: list[dict[str, Expr]] = [{} for _ in chunks]  # per group: key -> inner expression

    def read_from(symbol: str, output: str, reader: int | None) -> str:
        """The text that reads `symbol.outputs.output` from group `reader` (None: main.bicep)."""
        home = group_of[symbol]
        key = f"{symbol}__{output}"
        exported[home][key] = Expr(f"{symbol}.outputs.{output}", frozenset({symbol}))
        return f"group{home + 1}.outputs.values.{key}" if reader is None else f"group{home + 1}.{key}"

    files: dict[str, BicepFile] = {}
    group_calls: list[ModuleCall] = []
    group_inputs: list[dict[str, object]] = []
    group_params: list[list[Param]] = []
    group_needs: list[set[int]] = []
    for index, chunk in enumerate(chunks):
        # A read many of the group's calls make of another group (the environment's id), rewritten once.
        reads_moved: dict[Expr, Expr] = {}
        inner: list[ModuleCall] = []
        params: dict[str, Param] = {}
        arguments: dict[str, object] = {}
        needs: set[int] = set()
        for call in chunk:
            found = known.get(call.symbol)
            reads = refs_of(call.params.values()) if found is None else found
            foreign = [s for s in reads if group_of.get(s, index) != index]
            rewritten = call.params
            if foreign:  # most calls read only their own group's modules
                rewritten = _rewrite(call.params, {}, dict.fromkeys(foreign, index), read_from, reads_moved)
                reads = refs_of(rewritten.values())
            for symbol in sorted(reads):
                if symbol in group_of or symbol in params:
                    continue
                if symbol.startswith("group") and symbol[5:].isdigit():
                    home = int(symbol[5:]) - 1
                    needs.add(home)
                    params.setdefault(symbol, Param(symbol, "object", description=f"Outputs of group-{home + 1}."))
                    arguments[symbol] = Expr(f"{symbol}.outputs.values", frozenset({symbol}))
                    continue
                declared = main_params.get(symbol)
                param = (
                    attrs.evolve(declared, default=None)
                    if declared is not None
                    else Param(
                        symbol, MAIN_VARIABLE_TYPES.get(symbol, "string"), description=f"{symbol} of main.bicep."
                    )
                )
                params.setdefault(symbol, attrs.evolve(param, generated=True))
                arguments[symbol] = ref(symbol)
            local_needs = []
            for dep in call.depends_on:
                if group_of.get(dep, index) == index:
                    local_needs.append(dep)
                else:
                    needs.add(group_of[dep])
            inner.append(_call_with(call, rewritten, tuple(local_needs), None))
        group_calls.append(ModuleCall(f"group{index + 1}", f"group-{index + 1}.bicep", f"group-{index + 1}", {}))
        group_inputs.append(arguments)
        group_params.append(list(params.values()))
        group_needs.append(needs)
        files[f"group-{index + 1}.bicep"] = BicepFile(modules=tuple(inner))
    outputs = tuple(
        attrs.evolve(o, value=_rewrite_expr(o.value, {}, dict.fromkeys(group_of), read_from)) for o in main.outputs
    )
    final_calls = []
    for index, call in enumerate(group_calls):
        arguments = dict(sorted(group_inputs[index].items()))
        implied = refs_of(arguments.values())
        explicit = tuple(f"group{n + 1}" for n in sorted(group_needs[index]) if f"group{n + 1}" not in implied)
        final_calls.append(attrs.evolve(call, params=arguments, depends_on=explicit))
        name = f"group-{index + 1}.bicep"
        values = exported[index]
        file_outputs = (
            (Output("values", "object", Expr(render(dict(values), 0), refs_of(values.values())), generated=True),)
            if values
            else ()
        )
        group_declares = tuple(sorted(group_params[index], key=lambda p: p.name))
        files[name] = attrs.evolve(files[name], params=group_declares, outputs=file_outputs)
    return attrs.evolve(main, modules=tuple(final_calls), outputs=outputs), files


def _chunks(calls: Sequence[ModuleCall], modules: Mapping[str, BicepFile], budget: int) -> list[list[ModuleCall]]:
    """The calls in order, in groups of like count (at most 800 each); where one of those would be
    past `budget`, each group as full as both limits allow instead."""
    count = math.ceil(len(calls) / MAX_RESOURCES)
    size = math.ceil(len(calls) / count)
    even = [list(calls[i : i + size]) for i in range(0, len(calls), size)]
    template_bytes: dict[str, int] = {}

    def added(file: str, held: int) -> int:
        """What a call of `file` adds to a group holding `held` calls of it already: the file's
        template and a whole call the first time; a row once the calls form a loop."""
        if held == 0:
            if file not in template_bytes:
                template_bytes[file] = module_template_bytes(file, modules[file], modules)
            return template_bytes[file] + PLAIN_CALL_BYTES
        # The second call turns the first into a row as well.
        return 2 * LOOP_COPY_BYTES - PLAIN_CALL_BYTES if held == 1 else LOOP_COPY_BYTES

    def estimate(chunk: Sequence[ModuleCall]) -> int:
        held: Counter[str] = Counter()
        total = 0
        for call in chunk:
            total += added(call.file, held[call.file])
            held[call.file] += 1
        return total

    if all(estimate(chunk) <= budget for chunk in even):
        return even
    chunks: list[list[ModuleCall]] = [[]]
    held: Counter[str] = Counter()
    total = 0
    for call in calls:
        more = added(call.file, held[call.file])
        if chunks[-1] and (len(chunks[-1]) == MAX_RESOURCES or total + more > budget):
            chunks.append([])
            held, total = Counter(), 0
            more = added(call.file, 0)
        chunks[-1].append(call)
        held[call.file] += 1
        total += more
    return chunks


# -- copies of records, built directly (attrs.evolve costs more than the rest of a copy's work) ----


def _call_with(
    call: ModuleCall, params: Mapping[str, object], depends_on: tuple[str, ...], scope: str | None
) -> ModuleCall:
    return ModuleCall(
        symbol=call.symbol,
        file=call.file,
        deployment_name=call.deployment_name,
        params=params,
        depends_on=depends_on,
        path=call.path,
        scope=scope,
        loop=call.loop,
    )


# -- rewriting expressions --------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OUTPUT_READ = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)")


def _rewrite(
    params: Mapping[str, object],
    renamed: Mapping[str, str],
    moved: Mapping[str, object],
    read_from: object = None,
    done: dict[Expr, Expr] | None = None,
) -> dict[str, object]:
    """`params` with their expressions rewritten. `done` holds expressions already rewritten for
    the same reader: what an expression turns into depends only on the groups of what it reads."""
    # Most values are one expression: rewritten without walking a structure for it, and most of
    # those read nothing renamed or moved (kept as they are, which _rewrite_expr would return).
    old_names, moved_names = renamed.keys(), moved.keys()
    out: dict[str, object] = {}
    for k, v in params.items():
        if type(v) is not Expr:
            out[k] = _rewrite_value(v, renamed, moved, read_from)
        elif old_names.isdisjoint(v.refs) and moved_names.isdisjoint(v.refs):
            out[k] = v
        elif done is None:
            out[k] = _rewrite_expr(v, renamed, moved, read_from)
        else:
            found = done.get(v)
            if found is None:
                found = done[v] = _rewrite_expr(v, renamed, moved, read_from)
            out[k] = found
    return out


def _rewrite_value(value: object, renamed: Mapping[str, str], moved: Mapping[str, object], read_from: object) -> object:
    """The value with its expressions rewritten; the same object when nothing in it changes."""
    return map_exprs(value, lambda e: _rewrite_expr(e, renamed, moved, read_from))


def _rewrite_expr(
    expr: Expr, renamed: Mapping[str, str], moved: Mapping[str, object], read_from: object = None
) -> Expr:
    """`expr` with renamed parameters replaced and reads of moved modules' outputs redirected."""
    if not moved and len(expr.refs) == 1 and expr.text in expr.refs and expr.text in renamed:  # `ref(p)`: most
        new = renamed[expr.text]
        return Expr(new, frozenset((new.split(".", 1)[0],)))
    if not renamed and len(expr.refs) == 1 and callable(read_from):  # `m.outputs.x` of a moved module
        (symbol,) = expr.refs
        head, dot_outputs, output = expr.text.partition(".outputs.")
        if symbol in moved and head == symbol and dot_outputs and _NAME.fullmatch(output):
            reader = moved[symbol]
            found: str = read_from(symbol, output, reader if isinstance(reader, int) else None)
            return Expr(found, frozenset((found.split(".", 1)[0],)))
    if renamed.keys().isdisjoint(expr.refs) and moved.keys().isdisjoint(expr.refs):
        return expr  # most expressions: nothing to do, told without a loop in Python
    olds = [r for r in expr.refs if r in renamed]
    reads = [r for r in expr.refs if r in moved]
    if not olds and not reads:
        return expr
    text = expr.text
    refs = set(expr.refs)
    for old in olds:
        # Most are the bare parameter (`ref(name)`); else a whole-word replacement.
        text = renamed[old] if text == old else re.sub(rf"(?<![.\w]){re.escape(old)}\b", renamed[old], text)
        refs.discard(old)
        refs.add(renamed[old].split(".", 1)[0])
    if reads and callable(read_from):
        reader = moved.get(reads[0])
        reader_index = reader if isinstance(reader, int) else None

        def swap(match: re.Match[str]) -> str:
            symbol, output = match.group(1), match.group(2)
            if symbol not in moved:
                return match.group(0)
            found: str = read_from(symbol, output, reader_index)
            refs.discard(symbol)
            refs.add(found.split(".", 1)[0])
            return found

        text = _OUTPUT_READ.sub(swap, text)
    return Expr(text, frozenset(refs))
