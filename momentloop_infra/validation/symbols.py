"""What validation knows about the symbols of one Bicep file: their declarations, the kind of
value an expression yields, and the values a module parameter can take in this stack."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping

import attrs

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.records import BicepFile, Param

Kind = str  # 'string' | 'int' | 'bool' | 'object' | 'array'
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STRING = re.compile(r"^'(?:[^'\\]|\\.)*'$", re.S)
# Functions whose result is always a string.
_STRING_FUNCTIONS = (
    "guid(",
    "subscriptionResourceId(",
    "resourceId(",
    "toLower(",
    "toUpper(",
    "uniqueString(",
    "concat(",
    "format(",
    "substring(",
    "replace(",
)


def declarations(file: BicepFile) -> Iterator[tuple[str, str]]:
    """(symbol, what declares it) for every parameter, variable, resource and module of a file."""
    yield from ((p.name, "param") for p in file.params)
    yield from ((v.name, "var") for v in file.variables)
    yield from ((r.symbol, "resource") for r in file.resources)
    yield from ((m.symbol, "module") for m in file.modules)


@attrs.frozen(repr=False)
class Info(FieldRepr):
    """What is known about an expression: its kind, whether its value is known when the
    deployment starts, and the literal values it can take in this stack (empty: unknown)."""

    kind: Kind | None
    deploy_time: bool
    values: tuple[object, ...] = ()


@attrs.define(repr=False)
class FileSymbols(FieldRepr):
    """Declarations of one file, plus the values its parameters receive from main.bicep."""

    file: BicepFile
    param_values: Mapping[str, tuple[object, ...]] = attrs.Factory(dict)

    @functools.cached_property
    def params(self) -> dict[str, Param]:
        return {p.name: p for p in self.file.params}

    @functools.cached_property
    def declared(self) -> dict[str, str]:
        """symbol -> what it is ('param', 'var', 'resource', 'module')."""
        return dict(declarations(self.file))

    def describe(self, expr: Expr) -> Info:
        text = expr.text.strip()
        declared = self.declared
        deploy_time = all(self._deploy_time_ref(symbol, text, declared) for symbol in expr.refs)
        if _IDENT.fullmatch(text):
            what = declared.get(text)
            if what == "param":
                param = self.params[text]
                values: tuple[object, ...] = self.param_values.get(text, ())
                return Info(param.type, True, values)
            if what == "resource":
                return Info("object", True)
            if what == "var":
                return Info(None, deploy_time)
            if text in ("true", "false"):
                return Info("bool", True, (text == "true",))
            return Info(None, deploy_time)
        if _STRING.fullmatch(text):
            return Info("string", deploy_time)
        if re.fullmatch(r"-?\d+", text):
            return Info("int", True, (int(text),))
        if text.startswith(_STRING_FUNCTIONS) or text == "tenant().tenantId":
            return Info("string", deploy_time)
        return Info(None, deploy_time)

    def _deploy_time_ref(self, symbol: str, text: str, declared: Mapping[str, str]) -> bool:
        """Params and variables are known at the start; of a resource only id, name, type and
        apiVersion are (Bicep BCP120); a module's outputs never are."""
        what = declared.get(symbol)
        if what in ("param", "var", None):
            return True
        if what == "module":
            return False
        uses = re.findall(rf"(?<![A-Za-z0-9_.]){re.escape(symbol)}(\.[A-Za-z_]\w*|\(|\[)?", text)
        return all(use in (".id", ".name", ".type", ".apiVersion") for use in uses)
