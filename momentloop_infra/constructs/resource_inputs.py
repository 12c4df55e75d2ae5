"""What a Resource's module takes from main.bicep: a parameter for each main.bicep expression its
body reads (another resource's attr(), an app's principal id), named by its words, and whether it
needs the region and the tags. An attr() of a resource of the same module is read there directly."""

from __future__ import annotations

import re
from collections.abc import Container, Mapping

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.bicep.functions import interpolate
from momentloop_infra.build.naming import joined
from momentloop_infra.constructs.attr import Attr
from momentloop_infra.model.records import BicepType, Param

# The module's own parameters, which no value passed in may take the name of.
RESERVED_PARAMS = frozenset({"name", "location", "tags", "skuName", "principalIds"})


def free_name(name: str, taken: Container[str]) -> str:
    """`name`, or with the first number that makes it one `taken` does not hold (`webPrincipalId2`)."""
    found, n = name, 1
    while found in taken:
        n += 1
        found = f"{name}{n}"
    return found


class Inputs:
    """What a Resource module takes from main.bicep: a parameter per main.bicep expression in its
    body (another resource's attr(), say), and whether it needs the region and the tags. An
    attr() of a resource of the same module is read there directly (`busOrders.name`)."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.params: list[Param] = []
        self.arguments: dict[str, object] = {}
        self.names: dict[Expr, str] = {}  # expression passed -> its parameter
        self.location = False
        self.tags = False

    def lift(self, value: object) -> object:
        """The value with every main.bicep expression replaced by a module parameter (an object's
        keys too: an expression key is written as an interpolated string, `'${key}'`)."""
        if isinstance(value, Attr) and value.module == self.module:
            return value.local_expr()
        if isinstance(value, Attr) and any(p.module == self.module for p in value.simple_parts()):
            return interpolate(*(p if isinstance(p, str) else self.expr(p) for p in value.parts))
        if isinstance(value, Expr):
            return self.param_for(value)
        if isinstance(value, Mapping):
            return {self.key(k): self.lift(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.lift(v) for v in value]
        return value

    def expr(self, value: Expr) -> Expr:
        lifted = self.lift(value)
        assert isinstance(lifted, Expr)  # an expression lifts to one
        return lifted

    def key(self, key: object) -> object:
        if not isinstance(key, Expr):
            return key
        lifted = self.expr(key)
        return lifted if lifted.text.startswith("'") else interpolate(lifted)

    def param_for(self, value: Expr) -> Expr:
        """The parameter passing `value` in: one per distinct expression, named by its words
        (`busName` for `bus.outputs.name`; `busName2` for another whose words are the same)."""
        found = self.names.get(value)
        if found is None:
            base = joined(*(w for w in re.split(r"[^A-Za-z0-9]+", value.text.replace(".outputs.", ".")) if w))
            found = free_name(base, self.arguments.keys() | RESERVED_PARAMS)
            kind: BicepType = value.bicep_type if isinstance(value, Attr) else "string"
            self.params.append(Param(found, kind, description=f"{value.text} in main.bicep."))
            self.arguments[found] = Expr(value.text, value.refs)  # a plain expression: records hold no Attr
            self.names[value] = found
        return ref(found)
