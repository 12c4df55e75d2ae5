"""What the Bicep compiler would reject across files: module parameters and outputs, undeclared
symbols, main.bicepparam against main.bicep, and unused parameters or variables."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from momentloop_infra.bicep.code_text import code_segments
from momentloop_infra.bicep.expr import Expr, refs_of
from momentloop_infra.model.expand import loop_items
from momentloop_infra.model.findings import Finding
from momentloop_infra.model.project import Project
from momentloop_infra.model.records import BicepFile, ModuleCall, Param, ParamValue
from momentloop_infra.validation.per_project import per_project
from momentloop_infra.validation.symbols import FileSymbols, declarations

MAIN = "main.bicep"
PARAMS_FILE = "main.bicepparam"
# `m.outputs.x`, or a loop's copy `m[item.k].outputs.x`.
_OUTPUT_REF = re.compile(r"(?<![A-Za-z0-9_.])([A-Za-z_]\w*)(?:\[[^\]]*\])?\.outputs\.([A-Za-z_]\w*)")


def exprs_in(value: object) -> Iterator[Expr]:
    """Every expression inside a value (keys included)."""
    stack = [value]
    while stack:
        item = stack.pop()
        # Concrete types first: abstract-class checks are slow over thousands of resources.
        if isinstance(item, Expr):
            yield item
        elif isinstance(item, str | int | float | bool) or item is None:
            continue
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict | Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())


def references(file: BicepFile) -> Iterator[tuple[str, str, str]]:
    """(symbol, who refers to it, construct path) for every reference in a file."""
    for p in file.params:
        for e in exprs_in(p.default):
            yield from ((s, f"param {p.name}", "") for s in e.refs)
    for v in file.variables:
        for e in exprs_in(v.value):
            yield from ((s, f"var {v.name}", "") for s in e.refs)
    for r in file.resources:
        own = {r.loop.item} if r.loop is not None else set()
        for e in exprs_in([r.body, r.condition]):
            yield from ((s, f"resource {r.symbol}", r.path) for s in e.refs if s not in own)
        if r.loop is not None:
            yield r.loop.over, f"resource {r.symbol} loop", r.path
        yield from ((s, f"resource {r.symbol} dependsOn", r.path) for s in r.depends_on)
    for m in file.modules:
        local = {m.loop.item} if m.loop is not None else set()
        for e in exprs_in([m.params, m.deployment_name]):
            yield from ((s, f"module {m.symbol}", m.path) for s in e.refs if s not in local)
        if m.loop is not None:
            yield m.loop.items, f"module {m.symbol} loop", m.path
        yield from ((_collection(s), f"module {m.symbol} dependsOn", m.path) for s in m.depends_on)
    for o in file.outputs:
        yield from ((s, f"output {o.name}", "") for s in o.value.refs)


def used_symbols(file: BicepFile) -> set[str]:
    """Every symbol a file refers to, in one walk (the fast path of `references`)."""
    roots: list[object] = [p.default for p in file.params if p.default is not None]
    roots += [v.value for v in file.variables]
    roots += [(r.body, r.condition) for r in file.resources]
    roots += [m.params for m in file.modules]
    roots += [o.value for o in file.outputs]
    used = set(refs_of(roots))
    for r in file.resources:
        used.update(r.depends_on)
    for m in file.modules:
        used.update(_collection(s) for s in m.depends_on)
        if m.loop is not None:
            # The item is the loop's own (no file declares a symbol of that name); the items are
            # a variable of the file.
            used.discard(m.loop.item)
            used.add(m.loop.items)
    for r in file.resources:
        if r.loop is not None:  # as for a module loop: the item its own, what it goes over used
            used.discard(r.loop.item)
            used.add(r.loop.over)
    return used


def _collection(symbol: str) -> str:
    """`store` for a dependency on one copy of a loop, `store[item.k]`."""
    return symbol.partition("[")[0]


@per_project
def module_param_values(project: Project) -> dict[str, dict[str, tuple[object, ...]]]:
    """For each module file, the literal values each parameter can receive in this stack: a
    literal argument, or the allowed values and profile default of the main parameter passed.
    Worked out once per project (several checks read it); the caller only reads it."""
    # A field of an object parameter (`blobStoreSettings.store.sku`) is a parameter of its own here.
    main_params = {p.name: p for p in project.main.params} | _fields(project.main)
    defaults = {v.reads: _typed(v) for v in project.param_values if v.default is not None}
    found: dict[str, dict[str, tuple[object, ...]]] = {}
    # Calls in main.bicep and in grouping modules (which pass main's parameters on by name).
    calls = [(file, call) for file in (project.main, *project.modules.values()) for call in file.modules]
    for caller, call in calls:
        values = found.setdefault(call.file, {})
        columns = _item_columns(caller, call)
        for name, argument in call.params.items():
            possible: tuple[object, ...] = ()
            if isinstance(argument, str | int | bool):
                possible = (argument,)
            elif isinstance(argument, Expr) and argument.text in columns:
                possible = columns[argument.text]
            elif isinstance(argument, Expr) and argument.text in main_params:
                param = main_params[argument.text]
                possible = tuple(param.allowed)
                if argument.text in defaults and defaults[argument.text] not in possible:
                    possible += (defaults[argument.text],)
            if not possible:
                values[name] = ()  # unknown in at least one call: check nothing
            elif name not in values or values[name]:
                values[name] = tuple(dict.fromkeys((*values.get(name, ()), *possible)))
    return found


def _fields(main: BicepFile) -> dict[str, Param]:
    """Every field of main.bicep's object parameters, by the path that reads it: `group.key.field`."""
    return {f"{p.name}.{key}.{f.name}": f for p in main.params for key, fields in p.shape for f in fields}


def _item_columns(file: BicepFile, call: ModuleCall) -> dict[str, tuple[object, ...]]:
    """For a loop: `item.field` -> the field's literal values over the items (fields holding
    an expression are left out: unknown)."""
    if call.loop is None:
        return {}
    rows = loop_items(file, call)
    columns: dict[str, tuple[object, ...]] = {}
    for field in rows[0] if rows else ():
        column = [r.get(field) for r in rows]
        if all(isinstance(v, str | int | bool) for v in column):
            columns[f"{call.loop.item}.{field}"] = tuple(dict.fromkeys(column))
    return columns


def _typed(value: ParamValue) -> object:
    assert value.default is not None
    if value.type == "int":
        try:
            return int(value.default)
        except ValueError:
            return value.default
    if value.type == "bool":
        return value.default == "true"
    return value.default


def check_project(project: Project) -> list[Finding]:
    stack = project.stack_path
    found: list[Finding] = []
    files: dict[str, BicepFile] = {MAIN: project.main, **project.modules}

    # Module calls against the module files.
    for call in project.main.modules:
        module = project.modules.get(call.file)
        if module is None:
            found.append(
                Finding(
                    "ML020",
                    "error",
                    call.path or stack,
                    "module",
                    call.file,
                    "calls a module file that is not generated",
                    MAIN,
                    call.symbol,
                )
            )
            continue
        declared = {p.name: p for p in module.params}
        for name in call.params:
            if name not in declared:
                found.append(
                    Finding(
                        "ML020",
                        "error",
                        call.path or stack,
                        f"params.{name}",
                        None,
                        f"{call.file} has no parameter {name!r}; its parameters: {', '.join(declared)}",
                        MAIN,
                        call.symbol,
                    )
                )
        for name, param in declared.items():
            if param.default is None and name not in call.params:
                found.append(
                    Finding(
                        "ML021",
                        "error",
                        call.path or stack,
                        f"params.{name}",
                        None,
                        f"is required by {call.file} and not passed",
                        MAIN,
                        call.symbol,
                    )
                )

    # Module outputs referenced in main.bicep.
    calls = {c.symbol: c for c in project.main.modules}
    for (module_symbol, output_name), reader, where in _output_uses(project.main):
        called = calls.get(module_symbol)
        if called is None or called.file not in project.modules:
            continue  # reported as an undeclared symbol below
        outputs = [o.name for o in project.modules[called.file].outputs]
        if output_name not in outputs:
            found.append(
                Finding(
                    "ML022",
                    "error",
                    where or called.path or stack,
                    "outputs",
                    output_name,
                    f"{reader} reads an output {called.file} does not declare; "
                    f"its outputs: {', '.join(outputs) or 'none'}",
                    MAIN,
                    module_symbol,
                )
            )

    # Every symbol declared once (Bicep refuses a second declaration of a name), and every one used.
    for name, file in files.items():
        seen: dict[str, str] = {}
        for symbol, what in declarations(file):
            if symbol in seen:
                message = f"declares {symbol!r} twice: as a {seen[symbol]} and as a {what}"
                found.append(Finding("ML029", "error", stack, f"{what} {symbol}", symbol, message, name, symbol))
            seen.setdefault(symbol, what)
        symbols = FileSymbols(file).declared
        used = used_symbols(file)
        missing = used - symbols.keys()
        # The detailed walk (who refers, from which construct) only when something is missing.
        for symbol, who, path in references(file) if missing else ():
            if symbol in missing:
                found.append(
                    Finding(
                        "ML023",
                        "error",
                        path or stack,
                        who,
                        symbol,
                        f"refers to a symbol {name} does not declare",
                        name,
                        symbol,
                    )
                )
        for p in file.params:
            if p.name not in used:
                found.append(
                    Finding(
                        "ML026",
                        "warning",
                        stack,
                        f"param {p.name}",
                        None,
                        "is declared and never used (Bicep linter no-unused-params); remove it",
                        name,
                        p.name,
                    )
                )
        for v in file.variables:
            if v.name not in used:
                found.append(
                    Finding(
                        "ML027",
                        "warning",
                        stack,
                        f"var {v.name}",
                        None,
                        "is declared and never used (Bicep linter no-unused-vars); remove it",
                        name,
                        v.name,
                    )
                )

    # main.bicepparam against main.bicep.
    main_params = {p.name: p for p in project.main.params}
    fields = _fields(project.main)
    assigned = {v.name: v for v in project.param_values}
    for value in project.param_values:
        main_param = main_params.get(value.name)
        if main_param is None:
            found.append(
                Finding(
                    "ML024",
                    "error",
                    stack,
                    f"param {value.name}",
                    value.env,
                    f"is assigned in main.bicepparam but main.bicep declares no such parameter; "
                    f"its parameters: {', '.join(main_params)}",
                    PARAMS_FILE,
                    value.name,
                )
            )
            continue
        # A grouped setting is checked against its field of the object parameter's type.
        target = main_param if value.within is None or not main_param.shape else fields.get(value.reads)
        where = f"param {value.reads}"
        if target is None:
            found.append(
                Finding(
                    "ML024",
                    "error",
                    stack,
                    where,
                    value.env,
                    f"is assigned in main.bicepparam but the type of {value.name} in main.bicep has no such field",
                    PARAMS_FILE,
                    value.name,
                )
            )
        elif target.type != (value.type if target is not main_param or value.within is None else "object"):
            found.append(
                Finding(
                    "ML028",
                    "error",
                    stack,
                    where,
                    value.type,
                    f"main.bicepparam assigns a {value.type}; main.bicep declares {target.type}",
                    PARAMS_FILE,
                    value.name,
                )
            )
        elif value.default is not None and target.allowed and _typed(value) not in target.allowed:
            found.append(
                Finding(
                    "ML004",
                    "error",
                    stack,
                    where,
                    value.default,
                    f"the default is not allowed; allowed values: {', '.join(target.allowed)}",
                    PARAMS_FILE,
                    value.name,
                )
            )
    for name, declared_param in main_params.items():
        if declared_param.default is None and name not in assigned:
            found.append(
                Finding(
                    "ML025",
                    "error",
                    stack,
                    f"param {name}",
                    None,
                    "is required by main.bicep and not assigned in main.bicepparam",
                    PARAMS_FILE,
                    name,
                )
            )
    return found


def _output_uses(file: BicepFile) -> Iterator[tuple[tuple[str, str], str, str]]:
    for m in file.modules:
        for e in exprs_in(m.params):
            for match in _output_reads(e.text):
                yield (match.group(1), match.group(2)), f"module {m.symbol}", m.path
    for o in file.outputs:
        for match in _output_reads(o.value.text):
            yield (match.group(1), match.group(2)), f"output {o.name}", ""
    for v in file.variables:
        for e in exprs_in(v.value):
            for match in _output_reads(e.text):
                yield (match.group(1), match.group(2)), f"var {v.name}", ""


def _output_reads(text: str) -> Iterator[re.Match[str]]:
    """The reads of module outputs in an expression's code (not in the text of its strings)."""
    if "'" not in text:  # most: no string at all
        yield from _OUTPUT_REF.finditer(text)
        return
    for code, piece in code_segments(text):
        if code:
            yield from _OUTPUT_REF.finditer(piece)
