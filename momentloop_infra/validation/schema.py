"""Type checking of resource bodies against the official Azure type definitions.

The definitions are package data (`data/azure_types/`, one file per type and version, generated
by scripts/extract_azure_types.py), each loaded on first use and cached. Each resource is checked
against the schema of its pinned `Type@apiVersion`: unknown properties, wrong kinds, values
outside a closed set, read-only properties set, required ones missing, length and range limits.
Expressions are accepted wherever a value of their kind could be; when the stack fixes the
values a parameter can take, those values are checked too.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.model.findings import Finding
from momentloop_infra.model.package_data import data_text
from momentloop_infra.model.records import Resource
from momentloop_infra.model.type_files import INDEX, type_file_name
from momentloop_infra.validation.symbols import FileSymbols

REQUIRED, READ_ONLY, WRITE_ONLY, DEPLOY_TIME_CONSTANT = 1, 2, 4, 8
# Keys of a resource body that are Bicep syntax, not properties of the Azure type.
BICEP_KEYWORDS = frozenset({"parent", "scope", "dependsOn"})

Node = dict[str, Any]


@cache
def known_types() -> frozenset[str]:
    """Every bundled `Type@apiVersion` (the index only; definitions load one by one)."""
    index = json.loads(data_text(f"azure_types/{INDEX}"))
    return frozenset(index["types"])


@cache
def type_nodes(type_ref: str) -> list[Node] | None:
    """The definition of one `Type@apiVersion`, or None when the bundle has none."""
    if type_ref not in known_types():
        return None
    nodes: list[Node] = json.loads(data_text(f"azure_types/{type_file_name(type_ref)}"))
    return nodes


@cache
def _ref_index(ref: str) -> int:
    """'#/12' -> 12 (refs repeat across every resource checked: parse each once)."""
    return int(ref.rsplit("/", 1)[1])


@cache
def _pattern(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # an ECMAScript-only construct: leave that check to the service
        return None


_BICEP_KINDS = {
    "StringType": "string",
    "StringLiteralType": "string",
    "IntegerType": "int",
    "BooleanType": "bool",
    "ObjectType": "object",
    "ArrayType": "array",
    "AnyType": "object",
}


def body_properties(type_ref: str) -> frozenset[str] | None:
    """The top-level keys a template may set in a `type_ref` body (not read-only), or None when
    the type is not bundled."""
    nodes = type_nodes(type_ref)
    if nodes is None:
        return None
    fields = nodes[_ref_index(nodes[0]["body"]["$ref"])].get("properties", {})
    return frozenset(name for name, field in fields.items() if not field.get("flags", 0) & READ_ONLY)


def property_kind(type_ref: str, path: str) -> str | None:
    """The Bicep type ('string', 'int', ...) of the property at a dotted path of a `type_ref`
    resource, or None when the bundle does not say."""
    nodes = type_nodes(type_ref)
    if nodes is None:
        return None
    node = nodes[_ref_index(nodes[0]["body"]["$ref"])]
    for part in path.split("."):
        field = node.get("properties", {}).get(part) if node.get("$type") == "ObjectType" else None
        if field is None:
            return None
        node = nodes[_ref_index(field["type"]["$ref"])]
    if node.get("$type") == "UnionType":
        kinds = {_BICEP_KINDS.get(nodes[_ref_index(e["$ref"])].get("$type", "")) for e in node.get("elements", [])}
        return kinds.pop() if len(kinds) == 1 else None
    return _BICEP_KINDS.get(str(node.get("$type")))


def missing_property(type_ref: str, path: str) -> tuple[str, list[str]] | None:
    """The first part of a dotted path that a bundled `type_ref` resource certainly does not have,
    with the names it has there; None when the path exists, or the bundle cannot tell (a type not
    bundled, a discriminated or open object on the way)."""
    nodes = type_nodes(type_ref)
    if nodes is None:
        return None
    node = nodes[_ref_index(nodes[0]["body"]["$ref"])]
    for part in path.split("."):
        if node.get("$type") != "ObjectType" or node.get("additionalProperties") is not None:
            return None
        fields = node.get("properties", {})
        if part not in fields:
            return part, sorted(fields)
        node = nodes[_ref_index(fields[part]["type"]["$ref"])]
    return None


def known_versions(type_: str) -> list[str]:
    return sorted(key.split("@", 1)[1] for key in known_types() if key.split("@", 1)[0] == type_)


_LITERALS: dict[int, tuple[list[str], bool]] = {}
_KINDS: dict[int, frozenset[str]] = {}


class _Checker:
    def __init__(self, resource: Resource, nodes: list[Node], symbols: FileSymbols, file: str) -> None:
        self.resource = resource
        self.nodes = nodes
        self.symbols = symbols
        self.file = file
        self.found: list[Finding] = []

    def node(self, ref: Mapping[str, str]) -> Node:
        return self.nodes[_ref_index(ref["$ref"])]

    def fail(self, rule: str, field: str, value: object, message: str) -> None:
        self.found.append(
            Finding(
                rule,
                "error",
                self.resource.path,
                field,
                value,
                f"{message} ({self.resource.type_ref}, resource {self.resource.symbol})",
                self.file,
                self.resource.symbol,
            )
        )

    # -- describing a type for messages ------------------------------------------------------------

    def literals(self, node: Node) -> tuple[list[str], bool]:
        """The string literals a type accepts, and whether it also accepts any string."""
        # Type nodes live as long as the cached type index, so their ids are stable keys.
        found = _LITERALS.get(id(node))
        if found is None:
            found = _LITERALS[id(node)] = self._literals(node)
        return found

    def _literals(self, node: Node) -> tuple[list[str], bool]:
        kind = node["$type"]
        if kind == "StringLiteralType":
            return [node["value"]], False
        if kind == "StringType" or kind == "AnyType":
            return [], True
        if kind == "UnionType":
            values: list[str] = []
            open_ = False
            for element in node["elements"]:
                more, is_open = self.literals(self.node(element))
                values += more
                open_ = open_ or is_open
            return values, open_
        return [], False

    def kinds(self, node: Node) -> frozenset[str]:
        found = _KINDS.get(id(node))
        if found is None:
            found = _KINDS[id(node)] = frozenset(self._kinds(node))
        return found

    def _kinds(self, node: Node) -> set[str]:
        kind = node["$type"]
        simple = {
            "StringType": "string",
            "StringLiteralType": "string",
            "IntegerType": "int",
            "BooleanType": "bool",
            "ObjectType": "object",
            "ArrayType": "array",
        }
        if kind in simple:
            return {simple[kind]}
        if kind == "UnionType":
            return set().union(*(self.kinds(self.node(e)) for e in node["elements"]))
        return {"string", "int", "bool", "object", "array"}

    # -- walking ------------------------------------------------------------------------------------

    def check(self, node: Node, value: object, field: str) -> None:
        kind = node["$type"]
        if kind == "AnyType":
            return
        if isinstance(value, Expr):
            info = self.symbols.describe(value)
            if (
                info.kind is not None
                and info.kind not in self.kinds(node)
                and not (info.kind == "string" and "int" in self.kinds(node) and value.text.startswith("json("))
            ):
                allowed = " or ".join(sorted(self.kinds(node)))
                self.fail(
                    "ML003",
                    field,
                    value.text,
                    f"is an expression of kind {info.kind}; the property takes {allowed}",
                )
                return
            for possible in info.values:
                self.check(node, possible, f"{field} (via {value.text})")
            return
        if kind == "UnionType":
            self.check_union(node, value, field)
        elif kind == "StringLiteralType":
            if value != node["value"]:
                self.fail("ML004", field, value, f"must be {node['value']!r}")
        elif kind == "StringType":
            self.check_string(node, value, field)
        elif kind == "IntegerType":
            self.check_integer(node, value, field)
        elif kind == "BooleanType":
            if not isinstance(value, bool):
                self.fail("ML003", field, value, f"is a {_kind_of(value)}; the property takes true or false")
        elif kind == "ArrayType":
            if not isinstance(value, list | tuple):
                self.fail("ML003", field, value, f"is a {_kind_of(value)}; the property takes an array")
                return
            item = self.node(node["itemType"])
            for index, element in enumerate(value):
                if element is not None:
                    self.check(item, element, f"{field}[{index}]")
        elif kind == "ObjectType":
            self.check_object(node, value, field)

    def check_union(self, node: Node, value: object, field: str) -> None:
        literals, open_ = self.literals(node)
        if isinstance(value, str) and (literals or open_):
            if value in literals or open_:
                for element in node["elements"]:
                    sub = self.node(element)
                    if sub["$type"] == "StringType":
                        self.check_string(sub, value, field)
                return
            self.fail(
                "ML004",
                field,
                value,
                f"is not allowed; allowed values: {', '.join(map(repr, literals))}",
            )
            return
        # A union of objects or mixed kinds: accept when one member accepts it.
        for element in node["elements"]:
            attempt = _Checker(self.resource, self.nodes, self.symbols, self.file)
            attempt.check(self.node(element), value, field)
            if not attempt.found:
                return
        allowed = " or ".join(sorted(self.kinds(node)))
        self.fail("ML003", field, value, f"matches no member of the union; the property takes {allowed}")

    def check_string(self, node: Node, value: object, field: str) -> None:
        if not isinstance(value, str):
            self.fail("ML003", field, value, f"is a {_kind_of(value)}; the property takes a string")
            return
        low, high = node.get("minLength"), node.get("maxLength")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            self.fail(
                "ML005",
                field,
                value,
                f"has {len(value)} characters; allowed: {low or 0} to {high if high is not None else 'any'}",
            )
        pattern = node.get("pattern")
        compiled = _pattern(pattern) if pattern else None
        if compiled is not None and not compiled.search(value):
            self.fail("ML004", field, value, f"does not match the pattern {pattern}")

    def check_integer(self, node: Node, value: object, field: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail("ML003", field, value, f"is a {_kind_of(value)}; the property takes an integer")
            return
        low, high = node.get("minValue"), node.get("maxValue")
        if (low is not None and value < low) or (high is not None and value > high):
            shown = f"{low if low is not None else '-inf'} to {high if high is not None else 'inf'}"
            self.fail("ML005", field, value, f"is out of range; allowed: {shown}")

    def check_object(self, node: Node, value: object, field: str, *, top: bool = False) -> None:
        if not isinstance(value, Mapping):
            self.fail("ML003", field, value, f"is a {_kind_of(value)}; the property takes an object")
            return
        properties: Mapping[str, Node] = node.get("properties", {})
        extra = node.get("additionalProperties")
        prefix = f"{field}." if field else ""
        for key, item in value.items():
            if item is None:
                continue
            if top and key in BICEP_KEYWORDS:
                continue
            if isinstance(key, Expr):
                if extra is not None:
                    self.check(self.node(extra), item, f"{prefix}[{key.text}]")
                continue
            spec = properties.get(key)
            if spec is None:
                if extra is not None:
                    self.check(self.node(extra), item, f"{prefix}{key}")
                else:
                    writable = sorted(
                        k for k, s in properties.items() if not s["flags"] & READ_ONLY or s["flags"] & REQUIRED
                    )
                    self.fail(
                        "ML002",
                        f"{prefix}{key}",
                        None,
                        f"is not a property of {node.get('name', 'this object')}; "
                        f"known properties: {', '.join(writable)}",
                    )
                continue
            flags = spec["flags"]
            if flags & READ_ONLY and not flags & REQUIRED:
                self.fail(
                    "ML006",
                    f"{prefix}{key}",
                    _shown(item),
                    "is read-only: Azure sets it, a template cannot",
                )
                continue
            if flags & DEPLOY_TIME_CONSTANT and isinstance(item, Expr) and not self.symbols.describe(item).deploy_time:
                self.fail(
                    "ML008",
                    f"{prefix}{key}",
                    item.text,
                    "must be known when the deployment starts (Bicep BCP120); build it from parameters, "
                    "variables and resource ids, or pass the value into a module as a parameter",
                )
            self.check(self.node(spec["type"]), item, f"{prefix}{key}")
        if self.resource.existing:
            return
        for key, spec in properties.items():
            if spec["flags"] & REQUIRED and value.get(key) is None:
                self.fail("ML007", f"{prefix}{key}", None, "is required and missing")


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, Sequence):
        return "array"
    return type(value).__name__


def _shown(value: object) -> object:
    return value.text if isinstance(value, Expr) else value


def _close_type(type_: str) -> str | None:
    """The bundled type a misspelt one is close to, of a provider close to its own (none of
    another provider's: 'Microsoft.Web/sites' is not a misspelt 'Microsoft.Cache/redis')."""
    bundled = sorted({t.split("@", 1)[0] for t in known_types()})
    providers = sorted({t.split("/", 1)[0] for t in bundled})
    near = set(difflib.get_close_matches(type_.split("/", 1)[0], providers, n=3, cutoff=0.85))
    close = difflib.get_close_matches(type_, [t for t in bundled if t.split("/", 1)[0] in near], n=1, cutoff=0.8)
    return close[0] if close else None


def check_resource(resource: Resource, symbols: FileSymbols, file: str) -> list[Finding]:
    """Every schema problem of one resource declaration."""
    nodes = type_nodes(resource.type_ref)
    if nodes is None:
        versions = known_versions(resource.type)
        known = f"versions bundled: {', '.join(versions)}" if versions else "the type is not in the bundle"
        if not versions:  # a misspelt type of a bundled provider reads like one Azure does not have
            close = _close_type(resource.type)
            known += f"; did you mean {close!r}?" if close else ""
        # Azure may well know it (a newer version, a type outside the bundle): warn, do not refuse.
        return [
            Finding(
                "ML001",
                "warning",
                resource.path,
                "type",
                resource.type_ref,
                f"no bundled Azure type definition for this type and API version, so its body was not checked; {known}",
                file,
                resource.symbol,
            )
        ]
    checker = _Checker(resource, nodes, symbols, file)
    body_ref = nodes[0]["body"]
    checker.check_object(checker.node(body_ref), dict(resource.body), "", top=True)
    return checker.found
