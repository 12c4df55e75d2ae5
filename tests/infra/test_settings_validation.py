"""How a settings class takes values (build/settings.py, build/setting_types.py): every field's
problem at once, values as the field holds them, and the checks across fields only on sound fields."""

from __future__ import annotations

import enum
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
from momentloop_infra.constructs.deploy_identity import DeployIdentitySettings
from momentloop_infra.constructs.postgres import PostgresSettings
from momentloop_infra.emit.yaml_scalar import yaml_scalar

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
        (int, "\u00b2", "Input should be a valid integer", ()),  # str.isdigit() says yes; int() says no
        (int, "\u0668\u0660", "Input should be a valid integer", ()),  # Arabic-Indic digits: not a port
        (int, "+-5", "Input should be a valid integer", ()),
        (bool, 2, "Input should be a valid boolean", ()),
        (bool, "maybe", "Input should be a valid boolean", ()),
        (str, 5, "Input should be a valid string", ()),
        (Decimal, "nan", "Input should be a finite number", ()),
        (Decimal, Decimal("sNaN"), "Input should be a finite number", ()),
        (Decimal, "abc", "Input should be a valid decimal", ()),
        (Decimal, True, "Input should be a valid decimal", ()),
        (tuple[str, ...], "abc", "Input should be a valid list (a list or a tuple: a set has no order)", ()),
        (tuple[str, ...], {"a", "b"}, "Input should be a valid list (a list or a tuple: a set has no order)", ()),
        (tuple[str, ...], ["a", 2], "Input should be a valid string", ("1",)),
        (dict[str, str], ["a"], "Input should be a valid dictionary", ()),
        (dict[str, str], {1: "x"}, "Input should be a valid string", ("1", "[key]")),
        (Literal["x"], ["x"], "Input should be 'x'", ()),
        (str | None, 0, "Input should be a valid string", ()),
    ],
)
def test_what_each_type_refuses(annotation: object, value: object, message: str, where: tuple[str, ...]) -> None:
    with pytest.raises(Invalid) as refused:
        conformer(annotation)(value)
    assert (refused.value.message, refused.value.where) == (message, where)


@pytest.mark.parametrize(
    ("annotation", "value", "expected"),
    [
        (int, " 8080 ", 8080),
        (int, "-3", -3),
        (bool, "true", True),
        (bool, "Off", False),
        (bool, 1, True),
        (bool, 0.0, False),
        (Decimal, 0.1, Decimal("0.1")),
        (tuple[str, ...], ["a", "b"], ("a", "b")),
    ],
)
def test_what_each_type_takes_as_pydantic_did(annotation: object, value: object, expected: object) -> None:
    found = conformer(annotation)(value)
    assert found == expected and type(found) is type(expected)


class Sku(str, enum.Enum):  # noqa: UP042  (how users wrote them before StrEnum)
    API = "api-app"
    BASIC = "Basic"


def test_a_str_enum_member_arrives_as_its_text() -> None:
    """A `(str, Enum)` member formats as 'Sku.API': the field holds the plain text, as pydantic did."""
    name = conformer(str)(Sku.API)
    assert type(name) is str and f"{name}" == "api-app"
    tier = conformer(Literal["Basic", "Standard"])(Sku.BASIC)
    assert type(tier) is str and f"{tier}" == "Basic"
    names = conformer(tuple[str, ...])([Sku.API])
    assert names == ("api-app",) and all(type(n) is str for n in names)  # type: ignore[union-attr]


def test_every_item_of_a_list_or_dictionary_is_reported() -> None:
    assert problems(kind="k", names=[1, "ok", 2], labels={"A": 1, 3: "x"}) == [
        "demo/x: names.0 = 1: Input should be a valid string",
        "demo/x: names.2 = 2: Input should be a valid string",
        "demo/x: labels.A = 1: Input should be a valid string",
        "demo/x: labels.3.[key] = 3: Input should be a valid string",
    ]


def test_a_key_that_is_not_a_string_is_a_problem_not_a_traceback() -> None:
    found, issues = validate_settings(DemoSettings, {"kind": "k", 1: "x"}, "demo/x", "scale-up")
    assert found is None
    assert [str(p) for p in issues] == ["demo/x (profile 'scale-up'): 1 = 'x': Keys should be strings"]


def test_a_check_that_raises_value_error_still_names_its_field() -> None:
    def _even(value: int) -> None:
        if value % 2:
            raise ValueError("must be even")

    @settings_class
    class Checked(Settings):
        size: int | None = setting(default=None, ge=1, check=_even)

    assert validate_settings(Checked, {"size": None}, "demo/x", "default")[1] == []  # no bound applies to None
    assert [str(p) for p in validate_settings(Checked, {"size": 0}, "demo/x", "default")[1]] == [
        "demo/x: size = 0: Input should be greater than or equal to 1"
    ]
    assert [str(p) for p in validate_settings(Checked, {"size": 3}, "demo/x", "default")[1]] == [
        "demo/x: size = 3: must be even"
    ]


def test_bounds_on_a_field_that_is_not_a_number_fail_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError, match="ge= and le= bound numbers"):

        @settings_class
        class Broken(Settings):
            name: str = setting(default="x", ge=1)


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
    for odd in (Decimal("sNaN"), float("inf")):  # a Problem, not a traceback
        refused = validate_settings(ContainerAppSettings, {"memory": odd}, "demo/app", "default")[1]
        assert [p.message for p in refused] == ["Input should be a valid string"]


def test_one_field_problems_are_reported_together_across_fields() -> None:
    found, issues = validate_settings(
        PostgresSettings, {"database": "bad-name", "storage_gb": 33, "backup_retention_days": 3}, "demo/db", "default"
    )
    assert found is None
    assert [p.field for p in issues] == ["database", "storage_gb", "backup_retention_days"]


def test_a_trailing_newline_is_no_valid_name_and_yaml_quotes_it() -> None:
    """`re.match` with `$` accepts 'main\\n'; the workflow would then break its own YAML."""
    found, issues = validate_settings(DeployIdentitySettings, {"branch": "main\n"}, "demo/deploy", "default")
    assert found is None and [p.field for p in issues] == ["branch"]
    assert yaml_scalar("main\n") == '"main\\n"'
    assert yaml_scalar("main") == "main"
