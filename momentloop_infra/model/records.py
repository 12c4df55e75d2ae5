"""Frozen records of everything a Bicep file holds: parameters, resources, module calls, outputs."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Literal

import attrs

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.field_repr import FieldRepr

BicepType = Literal["string", "int", "bool", "object", "array"]


@attrs.frozen(repr=False)
class Suppression(FieldRepr):
    """A finding silenced on one resource, with the reason a reviewer reads beside it."""

    rule: str
    reason: str


@attrs.frozen(repr=False)
class Param(FieldRepr):
    name: str
    type: BicepType
    secure: bool = False
    description: str | None = None
    allowed: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    default: object = None
    # Named by the library (from construct ids and kinds), not by a user: secret-by-name rules skip it.
    generated: bool = False
    # An object parameter grouping settings: each key's fields, typed and bounded as the plain
    # parameters they replace were (`param settings { backend: { @minValue(0) minReplicas: int } }`).
    shape: tuple[tuple[str, tuple[Param, ...]], ...] = ()

    @property
    def uniform(self) -> bool:
        """Whether every key of a shaped object parameter has the same fields (a typed dictionary)."""
        if not self.shape:
            return False
        first = self.shape[0][1]
        return all(fields == first for _, fields in self.shape)

    def field(self, key: str, name: str) -> Param | None:
        """The declaration of `self.key.name` in a shaped object parameter."""
        for known, fields in self.shape:
            if known == key:
                return next((f for f in fields if f.name == name), None)
        return None


@attrs.frozen(repr=False)
class ResourceLoop(FieldRepr):
    """`[for item in items(over): {...}]`: one declaration deploying the resource once per entry of
    the file's object parameter `over` (the body reads `item.key` and `item.value`). Azure Resource
    Manager counts every copy towards its 800; `count` is how many the stack passes."""

    over: str
    count: int
    item: str = "item"


@attrs.frozen(repr=False)
class Resource(FieldRepr):
    """One `resource` declaration. `body` is the object after `=`, minus what the fields below hold."""

    symbol: str
    type: str
    api_version: str
    body: Mapping[str, object]
    existing: bool = False
    condition: Expr | None = None
    depends_on: tuple[str, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    # The construct path it came from, for error messages: not part of what it declares, so two
    # constructs' like resources are equal (and their module text one shared file).
    path: str = attrs.field(default="", eq=False)
    overridden: tuple[str, ...] = ()  # property paths a user set with override(): names they chose
    loop: ResourceLoop | None = None

    @property
    def type_ref(self) -> str:
        return f"{self.type}@{self.api_version}"

    @property
    def copies(self) -> int:
        """Resources it deploys: one, or one per entry its loop goes over."""
        return 1 if self.loop is None else self.loop.count


@attrs.frozen(repr=False)
class ModuleLoop(FieldRepr):
    """`[for item in items: {...}]`: one declaration deploying its module once per element of the
    file's variable `items` (an array of objects). Bicep writes the module's template once, however
    many copies; Azure Resource Manager counts every copy towards its 800."""

    items: str
    count: int
    item: str = "item"
    paths: tuple[str, ...] = ()  # the construct path of each copy, for messages and reviews


@attrs.frozen(repr=False)
class ModuleCall(FieldRepr):
    """A `module` declaration in main.bicep (or in a grouping module); with `loop`, a collection
    whose params and deployment name may read the loop's item."""

    symbol: str
    file: str  # relative to main.bicep, e.g. 'modules/storage.bicep'
    deployment_name: str | Expr  # an expression where it must be unique in the subscription
    params: Mapping[str, object]
    depends_on: tuple[str, ...] = ()
    path: str = ""
    # Where it deploys, as Bicep: the stack's resource group ('rg'), 'subscription()' for a module
    # whose file has targetScope 'subscription', or None inside a grouping module (already in the group).
    scope: str | None = "rg"
    loop: ModuleLoop | None = None

    @property
    def copies(self) -> int:
        """Deployments it makes: one, or one per item of its loop."""
        return 1 if self.loop is None else self.loop.count


@attrs.frozen(repr=False)
class Output(FieldRepr):
    name: str
    type: BicepType
    value: Expr
    description: str | None = None
    generated: bool = False  # as Param.generated


@attrs.frozen(repr=False)
class Variable(FieldRepr):
    name: str
    value: object


@attrs.frozen(repr=False)
class BicepFile(FieldRepr):
    """One .bicep file: main.bicep or a module."""

    target_scope: str | None = None
    params: tuple[Param, ...] = ()
    variables: tuple[Variable, ...] = ()
    resources: tuple[Resource, ...] = ()
    modules: tuple[ModuleCall, ...] = ()
    outputs: tuple[Output, ...] = ()
    header: str = ""

    @property
    def deployments(self) -> int:
        """What Azure Resource Manager counts towards its 800 for this template: each resource
        deployed (not `existing`) and each module deployment, every copy of a loop."""
        return sum(r.copies for r in self.resources if not r.existing) + sum(m.copies for m in self.modules)


def extended(file: BicepFile, params: tuple[Param, ...], resources: tuple[Resource, ...]) -> BicepFile:
    """`file` with `params` and `resources` after its own, built field by field (as copy_param)."""
    return BicepFile(
        file.target_scope,
        (*file.params, *params),
        file.variables,
        (*file.resources, *resources),
        file.modules,
        file.outputs,
        file.header,
    )


def named_by_library(file: BicepFile) -> BicepFile:
    """The file with every parameter and output marked as named by the library."""
    params = tuple(p if p.generated else _generated(p) for p in file.params)
    outputs = tuple(
        o if o.generated else Output(o.name, o.type, o.value, o.description, generated=True) for o in file.outputs
    )
    return BicepFile(file.target_scope, params, file.variables, file.resources, file.modules, outputs, file.header)


def _generated(p: Param) -> Param:
    # Shared only where equality is identity enough: records are looked up by ==, and 1 == True.
    if p.default is None or isinstance(p.default, str):
        return _shared_generated(p)
    return _copy_generated(p)


@functools.lru_cache(maxsize=4096)
def _shared_generated(p: Param) -> Param:
    # Like modules declare the same parameters (name, location, tags...): one copy of each.
    return _copy_generated(p)


def _copy_generated(p: Param) -> Param:
    return copy_param(p, name=p.name, default=p.default, generated=True)


def copy_param(p: Param, *, name: str, default: object, generated: bool) -> Param:
    """`p` with another name, default or mark, built field by field: attrs.evolve costs ~20 µs a
    record, a tenth of a large synth."""
    return Param(
        name=name,
        type=p.type,
        secure=p.secure,
        description=p.description,
        allowed=p.allowed,
        min_length=p.min_length,
        max_length=p.max_length,
        min_value=p.min_value,
        max_value=p.max_value,
        default=default,
        generated=generated,
        shape=p.shape,
    )


@attrs.frozen(repr=False)
class ParamValue(FieldRepr):
    """One assignment in main.bicepparam: read from an environment variable, with a default."""

    name: str
    env: str
    type: BicepType
    default: str | None  # None: required, no default (secrets)
    # Set when `name` is an object parameter grouping many settings: this value's (key, field) in it.
    within: tuple[str, str] | None = None

    @property
    def reads(self) -> str:
        """How main.bicep reads the value: `name`, or `name.key.field` for a grouped setting."""
        return self.name if self.within is None else f"{self.name}.{self.within[0]}.{self.within[1]}"
