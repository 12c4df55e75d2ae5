"""The library's attrs classes share one __repr__ (field_repr.py) instead of compiling their own:
it must print exactly what attrs' generated repr prints, and every class must have it."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import attrs
import pytest

import momentloop_infra
from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.records import BicepFile, Param, Resource


def _attrs_repr_of(cls: type) -> type:
    """The same class declared with attrs' own generated repr, for comparison."""
    fields = {a.name: attrs.field(default=a.default, repr=a.repr) for a in attrs.fields(cls)}
    return attrs.make_class(cls.__name__, fields, frozen=True)


@pytest.mark.parametrize(
    "value",
    [
        ref("location"),
        Param("location", "string", description="Where", allowed=("a", "b")),
        Resource("app", "Microsoft.App/containerApps", "2024-03-01", {"name": ref("name"), "tags": {"x": Expr("y")}}),
        BicepFile(params=(Param("p", "int"),)),
    ],
)
def test_a_record_prints_what_attrs_would(value: FieldRepr) -> None:
    twin = _attrs_repr_of(type(value))(**{a.name: getattr(value, a.name) for a in attrs.fields(type(value))})
    assert repr(value) == repr(twin)
    assert repr(value).startswith(f"{type(value).__name__}(")


def test_fields_left_out_of_the_repr_stay_out_and_a_custom_one_is_used() -> None:
    @attrs.frozen(repr=False)
    class Secretive(FieldRepr):
        shown: int
        hidden: str = attrs.field(default="password", repr=False)
        masked: str = attrs.field(default="abc", repr=lambda v: "*" * len(v))

    assert repr(Secretive(1)) == "Secretive(shown=1, masked=***)"


def test_an_object_met_again_while_printing_is_shown_as_dots() -> None:
    @attrs.define(repr=False)
    class Holder(FieldRepr):
        items: list[object]

    holder = Holder([])
    holder.items.append(holder)
    assert repr(holder) == "Holder(items=[...])"


def test_every_attrs_class_of_the_library_uses_the_shared_repr() -> None:
    for module in pkgutil.walk_packages(momentloop_infra.__path__, "momentloop_infra."):
        importlib.import_module(module.name)
    classes = [
        c
        for name, m in sys.modules.items()
        if name.startswith("momentloop_infra.")
        for c in vars(m).values()
        if isinstance(c, type) and attrs.has(c) and c.__module__ == name
    ]
    assert len(classes) > 40
    compiled = [c.__qualname__ for c in classes if c.__repr__ is not FieldRepr.__repr__]
    assert compiled == [], "declare these @attrs.frozen(repr=False) / @attrs.define(repr=False) on FieldRepr"
