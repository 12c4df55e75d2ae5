"""How a settings class takes values (build/settings.py, build/setting_types.py): every field's
problem at once, values as the field holds them, and the checks across fields only on sound fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

import attrs
import pytest

from momentloop_infra.build.setting_types import Invalid, conformer
from momentloop_infra.build.settings import (
    FieldProblem,
    Settings,
    required,
    setting,
    setting_names,
    settings_class,
    validate_settings,
)
from momentloop_infra.constructs.container_app.settings import ContainerAppSettings

CALLS: list[str] = []


def _even(value: int) -> None:
    if value % 2:
        raise FieldProblem("count", value, "must be even")


@settings_class
class DemoSettings(Settings):
    kind: str = required()
    count: int = setting(default=2, ge=0, le=10, check=_even)
    tier: Literal["a", "b"] = "a"
    names: tuple[str, ...] = ()
    labels: dict[str, str] = attrs.field(factory=dict)
    ratio: Decimal = Decimal("1")
    note: str | None = None

    def consistent(self) -> None:
        CALLS.append(self.kind)
        if self.tier == "b" and self.count > 4:
            raise FieldProblem("count", self.count, "tier 'b' takes at most 4")


def problems(**values: Any) -> list[str]:
    found, issues = validate_settings(DemoSettings, values, "demo/x", "default")
    assert (found is None) == bool(issues)
    return [str(p) for p in issues]


def test_every_field_problem_is_reported_at_once() -> None:
    assert problems(kind=3, count=12, tier="c", labels={"A": 1}, surplus=1) == [
        "demo/x: surplus = 1: unknown setting; Demo accepts: count, kind, labels, names, note, ratio, tier",
        "demo/x: kind = 3: Input should be a valid string",
        "demo/x: count = 12: Input should be less than or equal to 10",
        "demo/x: tier = 'c': Input should be 'a' or 'b'",
        "demo/x: labels.A = 1: Input should be a valid string",
    ]


def test_bounds_then_the_fields_own_check_then_the_cross_field_check() -> None:
    assert problems(kind="k", count=-1) == ["demo/x: count = -1: Input should be greater than or equal to 0"]
    assert problems(kind="k", count=3) == ["demo/x: count = 3: must be even"]
    CALLS.clear()
    assert problems(kind="k", count=3, tier="b") == ["demo/x: count = 3: must be even"]
    assert CALLS == []  # not run on a stack whose fields are already wrong
    assert problems(kind="k", count=6, tier="b") == ["demo/x: count = 6: tier 'b' takes at most 4"]
    assert CALLS == ["k"]


def test_a_required_field_left_out_and_the_profile_in_the_path() -> None:
    found, issues = validate_settings(DemoSettings, {"count": 1}, "demo/x", "scale-up")
    assert found is None
    assert [str(p) for p in issues] == [
        "demo/x (profile 'scale-up'): kind: Field required",
        "demo/x (profile 'scale-up'): count = 1: must be even",
    ]


def test_values_arrive_as_the_field_holds_them() -> None:
    found, issues = validate_settings(
        DemoSettings, {"kind": "k", "count": 4.0, "names": ["x", "y"], "ratio": 0.1}, "demo/x", "default"
    )
    assert issues == [] and found is not None
    assert found.count == 4 and type(found.count) is int
    assert found.names == ("x", "y")
    assert found.ratio == Decimal("0.1")  # as written, not the binary fraction of the float
    assert found.labels == {} and found.note is None and found.tier == "a"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        found.count = 6  # type: ignore[misc]


@pytest.mark.parametrize(
    ("annotation", "value", "message", "where"),
    [
        (int, True, "Input should be a valid integer", ()),
        (int, 2.5, "Input should be a valid integer", ()),
        (int, "twelve", "Input should be a valid integer", ()),
        (bool, 1, "Input should be a valid boolean", ()),
        (str, 5, "Input should be a valid string", ()),
        (Decimal, "nan", "Input should be a valid decimal", ()),
        (Decimal, True, "Input should be a valid decimal", ()),
        (tuple[str, ...], "abc", "Input should be a valid list", ()),
        (tuple[str, ...], ["a", 2], "Input should be a valid string", ("1",)),
        (dict[str, str], ["a"], "Input should be a valid dictionary", ()),
        (Literal["x"], ["x"], "Input should be 'x'", ()),
        (str | None, 0, "Input should be a valid string", ()),
    ],
)
def test_what_each_type_refuses(annotation: object, value: object, message: str, where: tuple[str, ...]) -> None:
    with pytest.raises(Invalid) as refused:
        conformer(annotation)(value)
    assert (refused.value.message, refused.value.where) == (message, where)


def test_a_type_settings_cannot_hold_fails_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError, match="settings cannot hold"):

        @settings_class
        class Broken(Settings):
            when: list[int] = attrs.field(factory=list)


def test_container_app_settings_keep_their_conversions() -> None:
    found, issues = validate_settings(ContainerAppSettings, {"cpu": 0.5, "memory": 1}, "demo/app", "default")
    assert issues == [] and found is not None
    assert (found.cpu, found.memory, found.port) == (Decimal("0.5"), "1Gi", 8000)
    assert "health_path" in setting_names(ContainerAppSettings)
