"""An estimate of the compiled main.json: the one template `azd provision` submits.

Bicep compiles main.bicep into one ARM JSON template in which every `module` declaration is a
nested deployment (`Microsoft.Resources/deployments`) holding the called file's own compiled
template, recursively (a grouping module inlines the modules it calls). A module loop is one
declaration: its template is written once, with a `copy` block, however many copies it makes.
Azure refuses a template over 4 MB, and we cannot run the Bicep compiler here, so this builds the
same JSON shape from the records and measures it compact (as sent on the wire).

Expressions are Bicep text (`Expr.text`); they are translated into ARM expressions the way Bicep
writes them (`parameters('x')`, `variables('x')`, `reference(resourceId(...), '<api>').p`,
`format('a{0}', ...)`, `if(...)`, `createObject(...)`), by a small parser over the few forms the
library writes, using the file's declared symbols. Text it does not understand is approximated
symbol by symbol, so the estimate stays close (and errs long) rather than failing.

Like Bicep, a file that declares a typed object parameter (`param settings { *: {...} }`) compiles
with symbolic names (languageVersion 2.0): resources are keyed by symbol, `dependsOn` lists
symbols and references read `reference('symbol')`; other files use the indexed form.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from momentloop_infra.bicep.expr import Expr, refs_of
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.package_data import data_text
from momentloop_infra.model.project import Project
from momentloop_infra.model.records import BicepFile, ModuleCall, Param, Resource
from momentloop_infra.validation.consistency import MAIN

MAX_TEMPLATE_BYTES = 4 * 1024 * 1024
MAX_RESOURCE_BYTES = 1024 * 1024  # one resource definition, a nested deployment's inlined template included

DEPLOYMENTS = "Microsoft.Resources/deployments"
DEPLOYMENTS_API = "2022-09-01"
GENERATOR_VERSION = "0.38.33.27573"  # a recent Bicep release, for the length of `_generator.version`
_SCHEMAS = {
    "resourceGroup": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "subscription": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
    "managementGroup": "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
    "tenant": "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#",
}
_SECURE_TYPES = {"string": "securestring", "object": "secureObject"}
_BOUNDS = (
    ("minValue", "min_value"),
    ("maxValue", "max_value"),
    ("minLength", "min_length"),
    ("maxLength", "max_length"),
)

# Bicep's names and numbers are ASCII: every pattern below matches ASCII only, as the parser does.
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The two forms most of a large stack's expressions take, translated without the parser (the
# same nodes it would give): a dotted name (`env.outputs.id`) and a string whose holes are
# dotted names (`'${abbrs.storageStorageAccounts}store-1-${resourceToken}'`).
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+", re.ASCII)
_SIMPLE_TEMPLATE = re.compile(r"'(?:[^'\\$]|\$(?!\{)|\$\{[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\})*'", re.ASCII)
_HOLE = re.compile(r"\$\{([^}]*)\}")
# And a call whose arguments are dotted names or plain string literals:
# `guid(registry.id, principal.value, '7f95...')`.
_PLAIN_ARG = r"(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*|'[^'\\$]*')"
_SIMPLE_CALL = re.compile(rf"([A-Za-z_]\w*)\(({_PLAIN_ARG}(?:, {_PLAIN_ARG})*)\)", re.ASCII)
# One copy of a loop and the properties after it: `userAssignedIdentity[7].outputs.principalId`.
_INDEXED = re.compile(r"([A-Za-z_]\w*)\[(\d+)\]((?:\.[A-Za-z_]\w*)*)", re.ASCII)
# An object of such reads, one per line (a group's `values` output): `{\n  key: name[3].outputs.x\n}`.
_FLAT_ENTRY = re.compile(r"  ([A-Za-z_]\w*): ([A-Za-z_]\w*(?:\[\d+\])?(?:\.[A-Za-z_]\w*)*)", re.ASCII)
_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_LAMBDA_ARGS = re.compile(r"\(\s*((?:[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)?)\s*\)\s*=>", re.ASCII)
_ARROW = re.compile(r"\s*=>")
# Binary operators by increasing precedence, longest first within a level, with the ARM function.
_LEVELS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("??", "coalesce"),),
    (("||", "or"),),
    (("&&", "and"),),
    (("==", "equals"), ("!=", "!equals"), ("=~", "~equals"), ("!~", "!~equals")),
    (("<=", "lessOrEquals"), (">=", "greaterOrEquals"), ("<", "less"), (">", "greater")),
    (("+", "add"), ("-", "sub")),
    (("*", "mul"), ("/", "div"), ("%", "mod")),
)
_OPERATORS = {token: (level, token, fn) for level, ops in enumerate(_LEVELS) for token, fn in ops}
_OPERATOR_START = frozenset(token[0] for token in _OPERATORS)
_ESCAPES = {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t", "$": "$"}
# For text the parser does not take: string literals (kept) and identifiers (translated).
_FALLBACK_TOKEN = re.compile(r"'(?:[^'\\]|\\.)*'|(?<![\w.])([A-Za-z_]\w*)(?:\.outputs\.([A-Za-z_]\w*))?|\s+")


class _Unsupported(ValueError):
    """Bicep syntax the small parser does not take (the text is approximated instead)."""


# -- nodes: what a parsed expression is, to write it as a JSON value or inside an ARM expression --
# ("s", text) string literal, ("n", text) number, ("b", bool), ("z", None) null, ("o", [(key, value)])
# object, ("a", [items]) array, ("j", value) a JSON value known at compile time, ("e", arm) other.
Node = tuple[str, Any]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def arm(node: Node) -> str:
    """The node inside an ARM expression (no brackets)."""
    tag, value = node
    if tag == "e":
        return str(value)
    if tag == "s":
        return _quote(value)
    if tag == "n":
        return str(value)
    if tag == "b":
        return "true()" if value else "false()"
    if tag == "z":
        return "null()"
    if tag == "o":
        return "createObject(" + ", ".join(f"{arm(k)}, {arm(v)}" for k, v in value) + ")"
    if tag == "a":
        return "createArray(" + ", ".join(arm(v) for v in value) + ")"
    return "json(" + _quote(json.dumps(value, separators=(",", ":"))) + ")"


def _literal(text: str) -> str:
    """A string as a JSON template value: a leading '[' is doubled so ARM reads it as text."""
    return "[" + text if text.startswith("[") else text


def as_json(node: Node) -> object:
    """The node as a JSON template value: literals and literal objects stay JSON, the rest `[...]`."""
    tag, value = node
    if tag == "s":
        return _literal(value)
    if tag == "n":
        return float(value) if "." in value else int(value)
    if tag in ("b", "z", "j"):
        return value
    if tag == "o":
        return {_key(k): as_json(v) for k, v in value}
    if tag == "a":
        return [as_json(v) for v in value]
    return f"[{value}]"


def _key(node: Node) -> str:
    return _literal(node[1]) if node[0] == "s" else f"[{arm(node)}]"


@functools.cache
def _load_json(path: str) -> object:
    """A file `loadJsonContent()` inlines at compile time: the library's own data files."""
    name = path.rsplit("/", 1)[-1]
    try:
        text = data_text(name)
    except (FileNotFoundError, OSError):
        return None
    return json.loads(text)


class _Parser:
    """One Bicep expression to a node. Newlines separate the items of objects and arrays, so they
    are skipped only where Bicep allows them: inside brackets and parentheses."""

    def __init__(self, text: str, scope: _FileScope, loop: tuple[str, str] | None) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)
        self.scope = scope
        self.loop = loop
        self.lambdas: frozenset[str] = frozenset()
        self.parens = 0  # open parentheses: newlines are allowed anywhere inside them

    def parse(self) -> Node:
        node = self.expr()
        self.space(True)
        if self.i != self.n:
            raise _Unsupported(self.s[self.i :])
        return node

    # -- characters -------------------------------------------------------------------------------

    def space(self, newlines: bool = False) -> None:
        s, i, n = self.s, self.i, self.n
        newlines = newlines or self.parens > 0
        while i < n:
            c = s[i]
            if c in " \t" or (newlines and c in "\r\n"):
                i += 1
            elif newlines and s.startswith("//", i):
                end = s.find("\n", i)
                i = n if end < 0 else end
            else:
                break
        self.i = i

    def peek(self, token: str) -> bool:
        return self.s.startswith(token, self.i)

    def expect(self, token: str) -> None:
        self.space(True)
        if not self.peek(token):
            raise _Unsupported(f"expected {token!r} at {self.i} in {self.s!r}")
        self.i += len(token)

    # -- grammar ----------------------------------------------------------------------------------

    def expr(self) -> Node:
        condition = self.binary(0)
        self.space()
        if self.peek("?") and not self.peek("??"):
            self.i += 1
            self.space(True)
            yes = self.expr()
            self.expect(":")
            self.space(True)
            no = self.expr()
            return ("e", f"if({arm(condition)}, {arm(yes)}, {arm(no)})")
        return condition

    def binary(self, lowest: int) -> Node:
        """Operators of precedence `lowest` and above (precedence climbing)."""
        left = self.unary()
        while True:
            self.space()
            found = self.operator()
            if found is None or found[0] < lowest:
                return left
            level, token, function = found
            self.i += len(token)
            self.space(True)
            right = self.binary(level + 1)
            left = ("e", _operator(function, arm(left), arm(right)))

    def operator(self) -> tuple[int, str, str] | None:
        s, i = self.s, self.i
        if i >= self.n or s[i] not in _OPERATOR_START:
            return None
        return _OPERATORS.get(s[i : i + 2]) or _OPERATORS.get(s[i])

    def unary(self) -> Node:
        self.space()
        if self.peek("!"):
            self.i += 1
            return ("e", f"not({arm(self.unary())})")
        if self.peek("-"):
            self.i += 1
            operand = self.unary()
            return ("n", f"-{operand[1]}") if operand[0] == "n" else ("e", f"sub(0, {arm(operand)})")
        return self.postfix()

    def postfix(self) -> Node:
        s = self.s
        if self.i >= self.n:
            raise _Unsupported("expression expected")
        c = s[self.i]
        if c == "'":
            return self.string()
        if "0" <= c <= "9":  # ASCII digits only: str.isdigit() also takes "²", which no number starts with
            match = _NUMBER.match(s, self.i)
            assert match is not None
            self.i = match.end()
            return ("n", match.group())
        if c == "(":
            return self.parenthesized()
        if c == "{":
            return self.object()
        if c == "[":
            return self.array()
        match = _IDENT.match(s, self.i)
        if match is None:
            raise _Unsupported(f"unexpected {c!r} in {s!r}")
        name = match.group()
        self.i = match.end()
        arrow = _ARROW.match(s, self.i)
        if arrow is not None:
            self.i = arrow.end()
            return self.lambda_body((name,))
        return self.scope.resolve(name, self.accessors(), self)

    def accessors(self) -> list[tuple[str, Any]]:
        """`.x`, `.?x`, `[e]`, `(args)` and `.f(args)` after a name, on the same line."""
        s = self.s
        found: list[tuple[str, Any]] = []
        while self.i < self.n:
            c = s[self.i]
            if c == ".":
                self.i += 2 if self.peek(".?") else 1  # `.?x`: a safe access reads the same
                match = _IDENT.match(s, self.i)
                if match is None:
                    raise _Unsupported(s)
                self.i = match.end()
                if self.peek("("):
                    found.append(("call", (match.group(), self.arguments())))
                else:
                    found.append((".", match.group()))
            elif c == "[":
                self.i += 1
                outer, self.parens = self.parens, 1
                index = self.expr()
                self.expect("]")
                self.parens = outer
                found.append(("[", index))
            elif c == "(" and not found:
                found.append(("(", self.arguments()))
            elif c == "!" and not self.peek("!="):
                self.i += 1  # a non-null assertion: nothing in ARM
            elif c == ":" and self.peek("::"):
                raise _Unsupported("nested resource access")
            else:
                break
        return found

    def arguments(self) -> list[Node]:
        self.i += 1  # (
        self.parens += 1
        args: list[Node] = []
        self.space(True)
        while not self.peek(")"):
            args.append(self.expr())
            self.space(True)
            if self.peek(","):
                self.i += 1
                self.space(True)
        self.i += 1
        self.parens -= 1
        return args

    def parenthesized(self) -> Node:
        lambda_args = _LAMBDA_ARGS.match(self.s, self.i)
        if lambda_args is not None:
            self.i = lambda_args.end()
            return self.lambda_body(tuple(a.strip() for a in lambda_args.group(1).split(",") if a.strip()))
        self.i += 1
        self.parens += 1
        inner = self.expr()
        self.expect(")")
        self.parens -= 1
        return inner

    def lambda_body(self, names: tuple[str, ...]) -> Node:
        outer = self.lambdas
        self.lambdas = outer | frozenset(names)
        self.space(True)
        body = self.expr()
        self.lambdas = outer
        return ("e", "lambda(" + "".join(f"{_quote(n)}, " for n in names) + arm(body) + ")")

    def separator(self) -> None:
        """After an item of an object or array: a comma or a newline."""
        self.space()
        if self.peek(","):
            self.i += 1
        self.space(True)

    def object(self) -> Node:
        self.i += 1
        outer, self.parens = self.parens, 0
        entries: list[tuple[Node, Node]] = []
        self.space(True)
        while not self.peek("}"):
            if self.i >= self.n:
                raise _Unsupported("unclosed object")
            if self.peek("'"):
                key = self.string()
            else:
                match = _IDENT.match(self.s, self.i)
                if match is None:
                    raise _Unsupported(self.s)
                key = ("s", match.group())
                self.i = match.end()
            self.expect(":")
            self.space(True)
            entries.append((key, self.expr()))
            self.separator()
        self.i += 1
        self.parens = outer
        return ("o", entries)

    def array(self) -> Node:
        self.i += 1
        outer, self.parens = self.parens, 0
        self.space(True)
        if self.s.startswith("for ", self.i):
            raise _Unsupported("for expression")
        elements: list[Node] = []
        while not self.peek("]"):
            if self.i >= self.n:
                raise _Unsupported("unclosed array")
            elements.append(self.expr())
            self.separator()
        self.i += 1
        self.parens = outer
        return ("a", elements)

    def string(self) -> Node:
        s = self.s
        if s.startswith("'''", self.i):
            end = s.find("'''", self.i + 3)
            if end < 0:
                raise _Unsupported("unclosed multi-line string")
            text = s[self.i + 3 : end]
            self.i = end + 3
            return ("s", text)
        self.i += 1
        parts: list[str] = []
        holes: list[Node] = []
        current: list[str] = []
        while True:
            if self.i >= self.n:
                raise _Unsupported("unclosed string")
            c = s[self.i]
            if c == "'":
                self.i += 1
                break
            if c == "\\":
                nxt = s[self.i + 1 : self.i + 2]
                if nxt == "u" and s.startswith("{", self.i + 2):
                    end = s.index("}", self.i)
                    current.append(chr(int(s[self.i + 3 : end], 16)))
                    self.i = end + 1
                else:
                    current.append(_ESCAPES.get(nxt, nxt))
                    self.i += 2
            elif c == "$" and s.startswith("${", self.i):
                self.i += 2
                outer, self.parens = self.parens, 1
                holes.append(self.expr())
                self.expect("}")
                self.parens = outer
                parts.append("".join(current))
                current = []
            else:
                current.append(c)
                self.i += 1
        if not holes:
            return ("s", "".join(current))
        parts.append("".join(current))
        pattern = "".join(
            part.replace("{", "{{").replace("}", "}}") + (f"{{{k}}}" if k < len(holes) else "")
            for k, part in enumerate(parts)
        )
        return ("e", f"format({_quote(pattern)}{''.join(', ' + arm(h) for h in holes)})")


def _operator(function: str, left: str, right: str) -> str:
    if function.startswith("!~"):
        return f"not(equals(toLower({left}), toLower({right})))"
    if function.startswith("~"):
        return f"equals(toLower({left}), toLower({right}))"
    if function.startswith("!"):
        return f"not({function[1:]}({left}, {right}))"
    return f"{function}({left}, {right})"


def _accessors(found: Iterable[tuple[str, Any]]) -> str:
    text = []
    for kind, value in found:
        if kind == ".":
            text.append(f".{value}")
        elif kind == "[":
            text.append(f"[{arm(value)}]")
        elif kind == "call":
            name, args = value
            text.append(f".{name}(" + ", ".join(arm(a) for a in args) + ")")
        else:
            text.append("(" + ", ".join(arm(a) for a in value) + ")")
    return "".join(text)


class _FileScope:
    """The declared symbols of one file and how Bicep writes references to them."""

    def __init__(self, file: BicepFile) -> None:
        self.file = file
        self.target = file.target_scope or "resourceGroup"
        self.symbolic = any(p.shape for p in file.params)
        self.params = {p.name for p in file.params}
        self.variables = {v.name for v in file.variables}
        self.resources = {r.symbol: r for r in file.resources}
        self.modules = {m.symbol: m for m in file.modules}
        self._parsed: dict[tuple[str, tuple[str, str] | None], Node] = {}
        self._segments: dict[str, list[str]] = {}

    # -- expressions ------------------------------------------------------------------------------

    def node(self, text: str, loop: tuple[str, str] | None = None) -> Node:
        key = (text, loop)
        found = self._parsed.get(key)
        if found is None:
            found = self._fast_node(text, loop)
            if found is None:
                try:
                    found = _Parser(text, self, loop).parse()
                except (_Unsupported, IndexError, ValueError):
                    found = ("e", self.approximate(text, loop))
            self._parsed[key] = found
        return found

    def _fast_node(self, text: str, loop: tuple[str, str] | None) -> Node | None:
        """The node of one of the commonest forms, or None. The forms are disjoint, each told by
        its first or last character or a bracket in it, so one pattern is tried at most."""
        head = text[:1]
        if head == "'":
            return self.template_string(text[1:-1], loop) if _SIMPLE_TEMPLATE.fullmatch(text) else None
        if head == "{":
            return self.flat_object(text, loop) if text.startswith("{\n") else None
        if text.endswith(")"):
            call = _SIMPLE_CALL.fullmatch(text)
            if call is None or call.group(1) in ("sys", "az"):
                return None
            return self.function(call.group(1), [self.plain_arg(a, loop) for a in call.group(2).split(", ")], [])
        if "[" in text:
            indexed = _INDEXED.fullmatch(text)
            if indexed is None:
                return None
            path = [(".", part) for part in indexed.group(3).split(".")[1:]]
            return self.resolve(indexed.group(1), [("[", ("n", indexed.group(2))), *path], None, loop)
        if "." in text:
            return self.dotted(text, loop) if _DOTTED.fullmatch(text) else None
        return self.resolve(text, [], None, loop) if _IDENT.fullmatch(text) else None

    def flat_object(self, text: str, loop: tuple[str, str] | None) -> Node | None:
        """An object whose entries are `key: read` lines (`_FLAT_ENTRY`), or None for any other."""
        if not text.endswith("\n}"):
            return None
        entries: list[tuple[Node, Node]] = []
        for line in text[2:-2].split("\n"):
            entry = _FLAT_ENTRY.fullmatch(line)
            if entry is None:
                return None
            entries.append((("s", entry.group(1)), self.node(entry.group(2), loop)))
        return ("o", entries)

    def dotted(self, text: str, loop: tuple[str, str] | None) -> Node:
        """A name, or a name and the properties after it (`env.outputs.id`)."""
        name, *path = text.split(".")
        return self.resolve(name, [(".", part) for part in path], None, loop)

    def plain_arg(self, text: str, loop: tuple[str, str] | None) -> Node:
        if text.startswith("'"):
            return ("s", text[1:-1])
        return self.dotted(text, loop)

    def template_string(self, body: str, loop: tuple[str, str] | None) -> Node:
        """A string literal's body with no escapes, whose holes are dotted names (`_SIMPLE_TEMPLATE`)."""
        pieces = _HOLE.split(body)  # literal, hole, literal, ..., literal
        if len(pieces) == 1:
            return ("s", body)
        holes = [self.dotted(h, loop) for h in pieces[1::2]]
        literals = [part.replace("{", "{{").replace("}", "}}") for part in pieces[0::2]]
        pattern = "".join(f"{part}{{{k}}}" for k, part in enumerate(literals[:-1])) + literals[-1]
        return ("e", f"format({_quote(pattern)}{''.join(', ' + arm(h) for h in holes)})")

    def value_node(self, value: object, loop: tuple[str, str] | None = None) -> Node:
        """A Python value of a record (a body, a parameter value) as a node."""
        if isinstance(value, Expr):
            return self.node(value.text, loop)
        if isinstance(value, str):
            return ("s", value)
        if isinstance(value, bool):
            return ("b", value)
        if isinstance(value, int):
            return ("n", str(value))
        if isinstance(value, float):
            return ("n", str(int(value))) if value == int(value) else ("e", f"json({_quote(repr(value))})")
        if value is None:
            return ("z", None)
        if isinstance(value, Mapping):
            return (
                "o",
                [(self.value_node(k, loop), self.value_node(v, loop)) for k, v in value.items() if v is not None],
            )
        if isinstance(value, list | tuple):
            return ("a", [self.value_node(v, loop) for v in value if v is not None])
        return ("s", str(value))

    def json_value(self, value: object, loop: tuple[str, str] | None = None) -> object:
        # The common plain values directly: a large stack's variables hold thousands of them.
        kind = type(value)
        if kind is Expr:
            return as_json(self.node(value.text, loop))  # type: ignore[attr-defined]  # `kind is` does not narrow
        if kind is str:
            return _literal(value)  # type: ignore[arg-type]
        if isinstance(value, dict):
            out: dict[str, object] = {}
            for k, v in value.items():  # a loop's item rows: plain keys, literal or expression values
                if v is None:
                    continue
                key = _literal(k) if type(k) is str else self.json_key(k, loop)
                kind = type(v)
                if kind is str:
                    out[key] = _literal(v)
                elif kind is Expr:
                    out[key] = as_json(self.node(v.text, loop))
                elif kind is int:
                    out[key] = v
                else:
                    out[key] = self.json_value(v, loop)
            return out
        if isinstance(value, list | tuple):
            return [self.json_value(v, loop) for v in value if v is not None]
        if isinstance(value, Expr):
            return as_json(self.node(value.text, loop))
        if isinstance(value, str):
            return _literal(value)
        return as_json(self.value_node(value, loop))

    def json_key(self, key: object, loop: tuple[str, str] | None) -> str:
        return _literal(key) if isinstance(key, str) else _key(self.value_node(key, loop))

    def arm_value(self, value: object, loop: tuple[str, str] | None = None) -> str:
        return arm(self.value_node(value, loop))

    def approximate(self, text: str, loop: tuple[str, str] | None) -> str:
        """Text the parser does not take: each symbol written as ARM would, whitespace collapsed."""

        def replace(match: re.Match[str]) -> str:
            name, output = match.group(1), match.group(2)
            if name is None:
                return " " if match.group().isspace() else match.group()
            if output is not None and name in self.modules:
                return f"{self.module_reference(self.modules[name], None)}.outputs.{output}.value"
            return str(self.resolve(name, [], None, loop)[1])

        return _FALLBACK_TOKEN.sub(replace, text).strip()

    def resolve(
        self, name: str, found: list[tuple[str, Any]], parser: _Parser | None, loop: tuple[str, str] | None = None
    ) -> Node:
        """A name and what follows it (`.x`, `[i]`, calls) as ARM."""
        loop = parser.loop if parser is not None else loop
        if found and found[0][0] == "(":
            return self.function(name, found[0][1], found[1:])
        if name in ("sys", "az") and found and found[0][0] == "call":
            function, args = found[0][1]
            return self.function(function, args, found[1:])
        if parser is not None and name in parser.lambdas:
            head = f"lambdaVariables({_quote(name)})"
        elif loop is not None and name == loop[0]:
            head = loop[1]
        elif name in self.params:
            head = f"parameters({_quote(name)})"
        elif name in self.variables:
            head = f"variables({_quote(name)})"
        elif name in self.resources:
            head, found = self.resource_access(name, found)
        elif name in self.modules:
            head, found = self.module_access(self.modules[name], found)
        elif name in ("true", "false") and not found:
            return ("b", name == "true")
        elif name == "null" and not found:
            return ("z", None)
        else:
            head = name
        return ("e", head + _accessors(found))

    def function(self, name: str, args: list[Node], rest: list[tuple[str, Any]]) -> Node:
        if name == "loadJsonContent" and args and args[0][0] == "s":
            loaded = _load_json(args[0][1])
            if loaded is not None:
                return ("j", loaded) if not rest else ("e", arm(("j", loaded)) + _accessors(rest))
        return ("e", f"{name}(" + ", ".join(arm(a) for a in args) + ")" + _accessors(rest))

    # -- resources ---------------------------------------------------------------------------------

    def _parent(self, r: Resource) -> str | None:
        parent = r.body.get("parent")
        return parent.text if isinstance(parent, Expr) and parent.text in self.resources else None

    def scope_of(self, r: Resource) -> str | None:
        scope = r.body.get("scope")
        return scope.text if isinstance(scope, Expr) and scope.text in self.resources else None

    def segments(self, symbol: str) -> list[str]:
        """The ARM name segments of a resource: its parents' names, then its own."""
        found = self._segments.get(symbol)
        if found is None:
            # A stand-in while its own name is written: a name that reads itself (a refused stack) ends.
            self._segments[symbol] = [_quote(symbol)]
            r = self.resources[symbol]
            parent = self._parent(r)
            own = self.arm_value(r.body.get("name", symbol), self.resource_loop(r))
            found = [*self.segments(parent), own] if parent is not None else [own]
            self._segments[symbol] = found
        return found

    def resource_id(self, symbol: str) -> str:
        r = self.resources[symbol]
        names = ", ".join(self.segments(symbol))
        scope = self.scope_of(r)
        if scope is not None:
            return f"extensionResourceId({self.resource_id(scope)}, {_quote(r.type)}, {names})"
        if self.target == "subscription":
            return f"subscriptionResourceId({_quote(r.type)}, {names})"
        return f"resourceId({_quote(r.type)}, {names})"

    def relative_id(self, symbol: str) -> str:
        """`Microsoft.X/type/{0}/child/{1}` with its names: how Bicep writes an extension's scope."""
        r = self.resources[symbol]
        provider, *types = r.type.split("/")
        pattern = provider + "".join(f"/{t}/{{{k}}}" for k, t in enumerate(types))
        return f"format({_quote(pattern)}, {', '.join(self.segments(symbol))})"

    def reference(self, symbol: str, full: bool = False) -> str:
        api = _quote(self.resources[symbol].api_version)
        target = _quote(symbol) if self.symbolic else self.resource_id(symbol)
        if full:
            return f"reference({target}, {api}, 'full')"
        return f"reference({target})" if self.symbolic else f"reference({target}, {api})"

    def resource_access(self, symbol: str, found: list[tuple[str, Any]]) -> tuple[str, list[tuple[str, Any]]]:
        r = self.resources[symbol]
        first = found[0] if found else None
        if first == (".", "id"):
            return self.resource_id(symbol), found[1:]
        if first == (".", "name"):
            return self.segments(symbol)[-1], found[1:]
        if first == (".", "type"):
            return _quote(r.type), found[1:]
        if first == (".", "apiVersion"):
            return _quote(r.api_version), found[1:]
        if first == (".", "properties"):
            return self.reference(symbol), found[1:]
        if first is not None and first[0] == "call":
            function, args = first[1]
            extra = "".join(", " + arm(a) for a in args)
            return f"{function}({self.resource_id(symbol)}, {_quote(r.api_version)}{extra})", found[1:]
        return self.reference(symbol, full=True), found

    def resource_loop(self, r: Resource) -> tuple[str, str] | None:
        """What a looped resource's item stands for in ARM: its parameter's entry at the copy."""
        if r.loop is None:
            return None
        return r.loop.item, f"items(parameters({_quote(r.loop.over)}))[copyIndex()]"

    # -- module calls ------------------------------------------------------------------------------

    def loop_of(self, call: ModuleCall, index: str = "copyIndex()") -> tuple[str, str] | None:
        """What the loop's item stands for in ARM: the items variable at `index`."""
        if call.loop is None:
            return None
        return call.loop.item, f"variables({_quote(call.loop.items)})[{index}]"

    def deployment_name(self, call: ModuleCall, index: str = "copyIndex()") -> str:
        return self.arm_value(call.deployment_name, self.loop_of(call, index))

    def resource_group(self, call: ModuleCall) -> str | None:
        """The ARM text of the resource group a call deploys into from a subscription template."""
        if call.scope in self.resources:
            return self.segments(call.scope)[-1]
        if call.scope and call.scope.startswith("resourceGroup(") and call.scope != "resourceGroup()":
            return arm(self.node(call.scope[len("resourceGroup(") : -1]))
        return None

    def deployment_id(self, call: ModuleCall, index: str = "copyIndex()") -> str:
        name = self.deployment_name(call, index)
        group = self.resource_group(call)
        if group is not None:
            path = "format('/subscriptions/{0}/resourceGroups/{1}', subscription().subscriptionId, " + group + ")"
            return f"extensionResourceId({path}, {_quote(DEPLOYMENTS)}, {name})"
        if self.target == "subscription" or call.scope == "subscription()":
            return f"subscriptionResourceId({_quote(DEPLOYMENTS)}, {name})"
        return f"resourceId({_quote(DEPLOYMENTS)}, {name})"

    def module_reference(self, call: ModuleCall, index: Node | None) -> str:
        if self.symbolic:
            if index is None:
                return f"reference({_quote(call.symbol)})"
            return f"reference(format({_quote(call.symbol + '[{0}]')}, {arm(index)}))"
        at = "copyIndex()" if index is None else arm(index)
        return f"reference({self.deployment_id(call, at)}, {_quote(DEPLOYMENTS_API)})"

    def module_access(self, call: ModuleCall, found: list[tuple[str, Any]]) -> tuple[str, list[tuple[str, Any]]]:
        index: Node | None = None
        if found and found[0][0] == "[":
            index, found = found[0][1], found[1:]
        if found[:1] == [(".", "name")]:
            return self.deployment_name(call, "copyIndex()" if index is None else arm(index)), found[1:]
        if found[:1] == [(".", "outputs")] and len(found) > 1 and found[1][0] == ".":
            return f"{self.module_reference(call, index)}.outputs.{found[1][1]}.value", found[2:]
        return self.module_reference(call, index), found

    # -- dependencies ------------------------------------------------------------------------------

    def depends_on(self, own: str, explicit: Iterable[str], values: Iterable[object]) -> list[str]:
        """`dependsOn` as Bicep writes it: every resource and module referenced or named, once."""
        symbols = dict.fromkeys(explicit)
        for found in sorted(refs_of(values)):
            symbols.setdefault(found)
        out: list[str] = []
        for symbol in symbols:
            if symbol == own:
                continue
            if symbol in self.resources:
                if self.resources[symbol].existing:
                    continue
                out.append(symbol if self.symbolic else f"[{self.resource_id(symbol)}]")
            elif symbol in self.modules:
                call = self.modules[symbol]
                out.append(symbol if self.symbolic or call.loop else f"[{self.deployment_id(call)}]")
        return out


def template_hash(name: str) -> str:
    """A 20-digit stand-in for Bicep's templateHash (the longest it writes)."""
    return str(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") % 10**20).zfill(20)


class _Compiler:
    def __init__(self, modules: Mapping[str, BicepFile]) -> None:
        self.modules = modules
        self.templates: dict[str, dict[str, Any]] = {}

    def template(self, name: str, file: BicepFile) -> dict[str, Any]:
        found = self.templates.get(name)
        if found is not None:
            return found
        scope = _FileScope(file)
        template: dict[str, Any] = {"$schema": _SCHEMAS.get(scope.target, _SCHEMAS["resourceGroup"])}
        if scope.symbolic:
            template["languageVersion"] = "2.0"
        template["contentVersion"] = "1.0.0.0"
        template["metadata"] = {
            "_generator": {"name": "bicep", "version": GENERATOR_VERSION, "templateHash": template_hash(name)}
        }
        if file.params:
            template["parameters"] = {p.name: self.param(p, scope) for p in file.params}
        if file.variables:
            template["variables"] = {v.name: scope.json_value(v.value) for v in file.variables}
        entries: list[tuple[str, dict[str, Any]]] = [
            (r.symbol, self.resource(r, scope)) for r in file.resources if scope.symbolic or not r.existing
        ]
        entries += [(m.symbol, self.module(m, scope)) for m in file.modules]
        template["resources"] = dict(entries) if scope.symbolic else [body for _, body in entries]
        if file.outputs:
            outputs: dict[str, Any] = {}
            for o in file.outputs:
                output: dict[str, Any] = {"type": o.type, "value": scope.json_value(o.value)}
                if o.description:
                    output["metadata"] = {"description": o.description}
                outputs[o.name] = output
            template["outputs"] = outputs
        self.templates[name] = template
        return template

    def param(self, p: Param, scope: _FileScope) -> dict[str, Any]:
        out: dict[str, Any] = {"type": _SECURE_TYPES.get(p.type, p.type) if p.secure else p.type}
        if p.default is not None:
            out["defaultValue"] = scope.json_value(p.default)
        out.update(_schema(p))
        return out

    def resource(self, r: Resource, scope: _FileScope) -> dict[str, Any]:
        out: dict[str, Any] = {}
        loop = scope.resource_loop(r)
        if r.loop is not None:
            out["copy"] = {"name": r.symbol, "count": f"[length(items(parameters({_quote(r.loop.over)})))]"}
        if r.condition is not None:
            out["condition"] = scope.json_value(r.condition, loop)
        if r.existing:
            out["existing"] = True
        out["type"] = r.type
        out["apiVersion"] = r.api_version
        on = scope.scope_of(r)
        if on is not None:
            out["scope"] = f"[{scope.relative_id(on)}]"
        segments = scope.segments(r.symbol)
        if len(segments) == 1:
            out["name"] = scope.json_value(r.body.get("name", r.symbol), loop)
        else:
            pattern = "/".join(f"{{{k}}}" for k in range(len(segments)))
            out["name"] = f"[format({_quote(pattern)}, {', '.join(segments)})]"
        for key, value in r.body.items():
            if key in ("name", "parent", "scope") or value is None:
                continue
            out[scope.json_key(key, loop)] = scope.json_value(value, loop)
        if not r.existing:
            depends = scope.depends_on(r.symbol, r.depends_on, [r.body, r.condition])
            if depends:
                out["dependsOn"] = depends
        return out

    def module(self, call: ModuleCall, scope: _FileScope) -> dict[str, Any]:
        loop = scope.loop_of(call)
        out: dict[str, Any] = {}
        if call.loop is not None:
            out["copy"] = {"name": call.symbol, "count": f"[length(variables({_quote(call.loop.items)}))]"}
        out["type"] = DEPLOYMENTS
        out["apiVersion"] = DEPLOYMENTS_API
        out["name"] = scope.json_value(call.deployment_name, loop)
        group = scope.resource_group(call)
        if group is not None:
            out["resourceGroup"] = f"[{group}]"
        file = self.modules[call.file]
        if (file.target_scope or "resourceGroup") != "resourceGroup":
            out["location"] = "[deployment().location]"  # a deployment above a resource group has one
        parameters = {k: {"value": scope.json_value(v, loop)} for k, v in call.params.items() if v is not None}
        out["properties"] = {
            "expressionEvaluationOptions": {"scope": "inner"},
            "mode": "Incremental",
            "parameters": parameters,
            "template": self.template(call.file, file),
        }
        named = [*call.depends_on, *([call.scope] if call.scope in scope.resources else [])]
        depends = scope.depends_on(call.symbol, named, [call.params, call.deployment_name])
        if depends:
            out["dependsOn"] = depends
        return out


def _schema(p: Param) -> dict[str, Any]:
    """What a parameter (or a field of a typed object parameter) declares besides its type."""
    out: dict[str, Any] = {}
    if p.shape:
        if p.uniform:
            out["additionalProperties"] = _object_of(p.shape[0][1])
        else:
            out["properties"] = {key: _object_of(fields) for key, fields in p.shape}
    if p.allowed:
        out["allowedValues"] = list(p.allowed)
    if p.description:
        out["metadata"] = {"description": p.description}
    for key, field in _BOUNDS:
        bound = getattr(p, field)
        if bound is not None:
            out[key] = bound
    return out


def _object_of(fields: tuple[Param, ...]) -> dict[str, Any]:
    return {"type": "object", "properties": {f.name: {"type": f.type, **_schema(f)} for f in fields}}


def compiled_template(project: Project) -> dict[str, Any]:
    """main.json as Bicep would write it, near enough to measure: main.bicep with every module
    call's template inlined as a nested deployment, once per declaration."""
    return _Compiler(project.modules).template(MAIN, project.main)


def module_template_bytes(name: str, file: BicepFile, modules: Mapping[str, BicepFile]) -> int:
    """Bytes of the template Bicep writes for module file `name` into every deployment declaring
    it (its calls' files from `modules`): what each distinct file adds to a grouping module."""
    return len(template_json(_Compiler(modules).template(name, file)).encode("utf-8"))


def template_json(template: Mapping[str, Any]) -> str:
    """A template as sent on the wire: compact JSON, UTF-8 text as is."""
    return json.dumps(template, separators=(",", ":"), ensure_ascii=False)


def compiled_size(project: Project) -> int:
    """Estimated bytes of the compiled main.json that `azd provision` submits."""
    return compiled_sizes(project).total


@attrs.frozen(repr=False)
class CompiledSizes(FieldRepr):
    """Estimated bytes of the compiled main.json, and of its largest resource definition (a
    grouping module's nested deployment, whose template holds every call of the group)."""

    total: int
    largest: int
    largest_symbol: str


def compiled_sizes(project: Project) -> CompiledSizes:
    """Both sizes in one pass: each top-level resource is written once, and the whole template's
    size is the rest's plus theirs (exactly what `template_json` of the whole would measure)."""
    template = compiled_template(project)
    resources = template.get("resources", [])
    entries = list(resources.items()) if isinstance(resources, dict) else [(None, r) for r in resources]
    sizes = [(key, len(template_json(entry).encode("utf-8"))) for key, entry in entries]
    rest = len(template_json({**template, "resources": {} if isinstance(resources, dict) else []}).encode("utf-8"))
    keys = sum(len(json.dumps(key, ensure_ascii=False).encode("utf-8")) + 1 for key, _ in sizes if key is not None)
    total = rest + sum(size for _, size in sizes) + keys + max(len(sizes) - 1, 0)
    if not sizes:
        return CompiledSizes(total, 0, "")
    index = max(range(len(sizes)), key=lambda k: sizes[k][1])
    key, largest = sizes[index]
    if key is None:  # an indexed template lists main.bicep's deployed resources, then its modules
        main = project.main
        key = ([r.symbol for r in main.resources if not r.existing] + [m.symbol for m in main.modules])[index]
    return CompiledSizes(total, largest, key)
