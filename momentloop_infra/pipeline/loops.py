"""Module calls that share a file become one loop: Bicep writes a module's template into main.json
once per declaration, so a thousand calls of four files made a template Azure refuses (4 MB), where
four loops of the same thousand deployments make a small one.

Calls of one file, scope and parameter names form a loop when their arguments differ only where an
item can say it (anti-unification of their expressions, token by token):

- a literal (a name, a deployment name): the item holds it, `name: item.name`;
- the key of a setting or of a group's exported values (`containerAppSettings.app_7.cpu`):
  `containerAppSettings[item.key].cpu`;
- a module that is itself in a loop (`app_7Identity.outputs.id`): that loop's copy, by index,
  `userAssignedIdentity[item.userAssignedIdentity].outputs.id`. Bicep makes the copy wait on
  that one copy, so nothing waits on modules it does not use.

Anything else (calls whose arguments differ in shape) stays a plain call. Every other reference to a
call that joined a loop is redirected to its copy (`storageStore[7].outputs.blobEndpoint`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

from momentloop_infra.bicep.expr import Expr, map_exprs
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.records import BicepFile, ModuleCall, ModuleLoop, Variable

ITEM = "item"
# A string literal, a name, a number, or a run of anything else (punctuation and spaces together:
# fewer tokens to line up, and like calls differ in names and literals, not in punctuation).
_TOKEN = re.compile(r"'(?:[^'\\]|\\.)*'|[A-Za-z_]\w*|\d+|[^'\w]+|.", re.DOTALL)
_IDENT = re.compile(r"[A-Za-z_]\w*")
_OUTPUT_READ = re.compile(r"(?<![.\w'])([A-Za-z_]\w*)(?=\.outputs\.)")


@attrs.frozen(repr=False)
class _Member(FieldRepr):
    collection: str
    index: int


def collapse(file: BicepFile, constants: frozenset[str]) -> BicepFile:
    """`file` with each family of like calls turned into one loop. `constants` are the symbols an
    item may read (known when the deployment starts: the file's plain parameters and variables)."""
    symbols = {c.symbol for c in file.modules}
    skeletons: dict[object, object] = {}  # many calls pass the same expressions (`location`, `tags`)
    kinds: dict[tuple[object, ...], list[ModuleCall]] = {}
    for call in file.modules:
        if call.loop is None:
            shape: list[object] = []
            for value in call.params.values():
                if type(value) is Expr:  # most: looked up here, without a call each
                    skeleton = skeletons.get(value.text)
                    if skeleton is None:
                        skeleton = skeletons[value.text] = _skeleton(value, symbols)
                    shape.append(skeleton)
                else:
                    shape.append(_known_skeleton(value, symbols, skeletons))
            kinds.setdefault(
                (call.file, call.scope, tuple(call.params), len(call.depends_on), tuple(shape)), []
            ).append(call)
    # A call alone of its kind never joins a loop, so a copy cannot wait on it by index: calls that
    # wait on different ones of those (apps on different access modules) are families apart.
    alone = {calls[0].symbol for calls in kinds.values() if len(calls) == 1}
    families: dict[tuple[object, ...], list[ModuleCall]] = {}
    for kind, calls in kinds.items():
        for call in calls:
            families.setdefault((*kind, tuple(d for d in call.depends_on if d in alone)), []).append(call)
    candidates = [calls for calls in families.values() if len(calls) > 1]
    if not candidates:
        return file
    names = _collection_names(file, candidates)
    members = {c.symbol: _Member(names[i], k) for i, calls in enumerate(candidates) for k, c in enumerate(calls)}
    loops: dict[int, tuple[ModuleCall, Variable]] = {}
    while True:  # until every remaining family can loop, given which others do
        failed = False
        for i, calls in enumerate(candidates):
            if i in loops or calls[0].symbol not in members:
                continue
            found = _loop(names[i], calls, members, constants)
            if found is None:
                for call in calls:
                    members.pop(call.symbol)
                loops = {}  # families that read this one must be redone with it plain
                failed = True
                break
            loops[i] = found
        if not failed:
            break
    if not loops:
        return file
    first_of = {calls[0].symbol: i for i, calls in enumerate(candidates) if i in loops}
    modules: list[ModuleCall] = []
    variables = list(file.variables)
    for call in file.modules:
        if call.symbol in first_of:
            loop_call, items = loops[first_of[call.symbol]]
            modules.append(loop_call)
            variables.append(items)
        elif call.symbol not in members:
            modules.append(_redirect_call(call, members))
    outputs = tuple(attrs.evolve(o, value=_redirect_expr(o.value, members)) for o in file.outputs)
    return attrs.evolve(file, modules=tuple(modules), variables=tuple(variables), outputs=outputs)


def constants_of(file: BicepFile) -> frozenset[str]:
    """What an item may read: the file's variables and plain parameters (not a secure one, not a
    group's outputs, which are known only once that group has deployed)."""
    params = {p.name for p in file.params if not p.secure and not re.fullmatch(r"group\d+", p.name)}
    return frozenset(params | {v.name for v in file.variables})


_BLANKABLE = re.compile(r"'(?:[^'\\]|\\.)*'|\.[A-Za-z_]\w*|[A-Za-z_]\w*")
# Most expressions are a name and the keys after it (`containerAppSettings.app_7.cpu`).
_READ = re.compile(r"([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)")


def _known_skeleton(value: object, symbols: set[str], known: dict[object, object]) -> object:
    if not isinstance(value, Expr):
        return _skeleton(value, symbols)
    found = known.get(value.text)
    if found is None:
        found = known[value.text] = _skeleton(value, symbols)
    return found


def _skeleton(value: object, symbols: set[str]) -> object:
    """What like calls have in common: an expression with the places an item can fill (literals,
    keys after a dot, module symbols) blanked; a value's type."""
    if not isinstance(value, Expr):
        return type(value).__name__ if isinstance(value, str | int | float) else repr(value)

    def blank(match: re.Match[str]) -> str:
        token = match.group()
        if token[0] == "'":
            return "'"
        if token[0] == ".":
            return ".#"
        return "@" if token in symbols else token

    read = _READ.fullmatch(value.text)
    if read is not None:  # what the substitution below makes of it, without a call per token
        head = read.group(1)
        return ("@" if head in symbols else head) + ".#" * read.group(2).count(".")
    return _BLANKABLE.sub(blank, value.text)


def _collection_names(file: BicepFile, families: Sequence[Sequence[ModuleCall]]) -> list[str]:
    taken = {c.symbol for c in file.modules} | {v.name for v in file.variables} | {p.name for p in file.params}
    taken |= {r.symbol for r in file.resources}
    names: list[str] = []
    for calls in families:
        first, *rest = calls[0].file.rsplit("/", 1)[-1].removesuffix(".bicep").split("-")
        base = first + "".join(part[:1].upper() + part[1:] for part in rest)  # 'container-app' -> 'containerApp'
        name, n = base, 1
        while name in taken or f"{name}Items" in taken:
            n += 1
            name = f"{base}{n}"
        taken |= {name, f"{name}Items"}
        names.append(name)
    return names


class _Items:
    """The fields of the loop's items, one column per field; equal columns share a field."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.columns: dict[str, tuple[object, ...]] = {}

    def field(self, hint: str, values: Sequence[object]) -> str:
        column = tuple(values)
        for name, existing in self.columns.items():
            if existing == column:
                return name
        name, n = hint, 1
        while name in self.columns:
            n += 1
            name = f"{hint}{n}"
        self.columns[name] = column
        return name

    def rows(self) -> list[dict[str, object]]:
        return [{name: column[k] for name, column in self.columns.items()} for k in range(self.count)]


def _loop(
    name: str, calls: Sequence[ModuleCall], members: Mapping[str, _Member], constants: frozenset[str]
) -> tuple[ModuleCall, Variable] | None:
    own = {c.symbol for c in calls}
    items = _Items(len(calls))
    items.field("symbol", [c.symbol for c in calls])  # which construct each copy is, for a reader
    names = [c.deployment_name for c in calls]
    deployment = _unify("deployment", names, items, members, own, constants)
    if not isinstance(deployment, str | Expr):
        return None
    params: dict[str, object] = {}
    for key in calls[0].params:
        unified = _unify(key, [c.params[key] for c in calls], items, members, own, constants)
        if unified is None:
            return None
        params[key] = unified
    depends: list[str] = []
    for position in range(len(calls[0].depends_on)):
        symbols = [c.depends_on[position] for c in calls]
        if len(set(symbols)) == 1:
            depends.append(symbols[0])
            continue
        targets = [members.get(s) for s in symbols]
        if any(t is None or s in own for t, s in zip(targets, symbols, strict=True)):
            return None
        collections = {t.collection for t in targets if t is not None}
        if len(collections) != 1:
            return None
        (collection,) = collections
        index = items.field(collection, [t.index for t in targets if t is not None])
        depends.append(f"{collection}[{ITEM}.{index}]")
    variable = Variable(f"{name}Items", items.rows())
    loop = ModuleLoop(variable.name, len(calls), paths=tuple(c.path for c in calls))
    first = calls[0]
    call = ModuleCall(
        name,
        first.file,
        deployment,
        params,
        depends_on=tuple(depends),
        path=first.path,
        scope=first.scope,
        loop=loop,
    )
    return call, variable


def _unify(
    hint: str,
    values: Sequence[object],
    items: _Items,
    members: Mapping[str, _Member],
    own: set[str],
    constants: frozenset[str],
) -> object | None:
    """One value standing for all of `values` (reading the item where they differ), or None."""
    first = values[0]
    if type(first) is Expr and all(type(v) is Expr for v in values):  # most: compared by text, at C speed
        exprs: list[Expr] = list(values)  # type: ignore[arg-type]  # each checked just above
        texts = [e.text for e in exprs]
        if texts.count(first.text) == len(texts) and all(e.refs == first.refs for e in exprs):
            return _redirect_expr(first, members)
    else:
        if all(v == first for v in values):
            return _redirect_expr(first, members) if isinstance(first, Expr) else first
        if all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            return Expr(_item_ref(items.field(hint, values)), frozenset({ITEM}))
        if not all(isinstance(v, Expr) for v in values):
            return None
        exprs = [v for v in values if isinstance(v, Expr)]
        texts = [e.text for e in exprs]
    tokens = [_TOKEN.findall(text) for text in texts]
    if len({len(t) for t in tokens}) != 1:
        return None
    out: list[str] = []
    refs: set[str] = set()
    varying: set[str] = set()
    holes = 0
    for column in zip(*tokens, strict=True):
        token = column[0]
        if column.count(token) == len(column):
            out.append(token)
            continue
        varying.update(column)
        holes += 1
        label = hint if holes == 1 else f"{hint}{holes}"
        previous = out[-1] if out else ""
        if all(t.startswith("'") for t in column):
            # A literal, maybe interpolating constants: the item holds the whole string.
            read = {s for t in column for s in _IDENT.findall(t)} & {r for e in exprs for r in e.refs}
            if not read <= constants:
                return None
            out.append(_item_ref(items.field(label, [Expr(t, frozenset(read)) for t in column])))
        elif previous.endswith(".") and all(_IDENT.fullmatch(t) for t in column):
            # A key: `settings.app_7.cpu` -> `settings[item.key].cpu`.
            out[-1] = previous[:-1]
            out.append(f"[{_item_ref(items.field(f'{label}Key', list(column)))}]")
        elif all(t in members and t not in own for t in column):
            targets = [members[t] for t in column]
            if len({t.collection for t in targets}) != 1:
                return None
            collection = targets[0].collection
            index = items.field(collection, [t.index for t in targets])
            out.append(f"{collection}[{_item_ref(index)}]")
            refs.add(collection)
        elif all(t.isdigit() for t in column):
            out.append(_item_ref(items.field(label, [int(t) for t in column])))
        else:
            return None
    refs |= (exprs[0].refs - varying) | {ITEM}
    return _redirect_expr(Expr("".join(out), frozenset(refs)), members)


def _item_ref(field: str) -> str:
    return f"{ITEM}.{field}"


def _redirect(value: object, members: Mapping[str, _Member]) -> object:
    """Reads of calls now in a loop go to their copy: `store_7.outputs.x` -> `storageStore[7].outputs.x`."""
    return map_exprs(value, lambda e: _redirect_expr(e, members))


def _redirect_call(call: ModuleCall, members: Mapping[str, _Member]) -> ModuleCall:
    moved = [s for s in call.depends_on if s in members]
    params = {k: _redirect(v, members) for k, v in call.params.items()}
    if not moved and all(params[k] is v for k, v in call.params.items()):
        return call
    depends = tuple(f"{members[s].collection}[{members[s].index}]" if s in members else s for s in call.depends_on)
    return attrs.evolve(call, params=params, depends_on=depends)


def _redirect_expr(expr: Expr, members: Mapping[str, _Member]) -> Expr:
    moved = expr.refs & members.keys()
    if not moved:
        return expr

    def swap(match: re.Match[str]) -> str:
        member = members.get(match.group(1))
        return match.group(0) if member is None else f"{member.collection}[{member.index}]"

    text = _OUTPUT_READ.sub(swap, expr.text)
    return Expr(text, frozenset((expr.refs - moved) | {members[s].collection for s in moved}))
