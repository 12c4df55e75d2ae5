"""Typed construct settings (frozen attrs classes) and their validation into Problems.

A settings class is declared with `@settings_class`; a field with bounds, a conversion or a check
of its own uses `setting(...)` (`required(...)` when it has no default). Validation reports every
field's problem (its type, bounds and check), then, when the fields are sound, the class's
`consistent()` checks across fields. Each problem names the construct path, the field and the value.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar, dataclass_transform

import attrs

from momentloop_infra.build.setting_types import Conformer, Invalid, conformer, is_number
from momentloop_infra.errors import Problem
from momentloop_infra.field_repr import FieldRepr

T = TypeVar("T")
_SETTING = "momentloop.setting"


class FieldProblem(ValueError):
    """Raised by a setting's check or by `consistent()` to blame one field, with the fix in the message."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.message = message


@attrs.frozen(repr=False)
class _Rules(FieldRepr):
    """What `setting()` adds to a field's type: a conversion before it, bounds and a check after."""

    before: Callable[[Any], object] | None = None
    ge: int | None = None
    le: int | None = None
    check: Callable[[Any], object] | None = None


def setting(
    *,
    default: T,
    ge: int | None = None,
    le: int | None = None,
    before: Callable[[Any], object] | None = None,
    check: Callable[[Any], object] | None = None,  # given the conformed value, never None
) -> T:
    """A field with a default and rules: `port: int = setting(default=8000, ge=1, le=65535)`."""
    rules = _Rules(before, ge, le, check)
    field: T = attrs.field(default=default, metadata={_SETTING: rules})
    return field


def required(*, check: Callable[[Any], object] | None = None) -> Any:
    """A field the construct must be given: `type: str = required(check=_type_ref)`."""
    return attrs.field(metadata={_SETTING: _Rules(check=check)})


def unique_names(field: str, valid: Callable[[str], object], invalid: str, noun: str) -> Callable[[Any], None]:
    """A check for a list of names: each one `valid` (else the `invalid` message), none twice."""

    def check(values: tuple[str, ...]) -> None:
        for value in values:
            if not valid(value):
                raise FieldProblem(field, value, invalid)
        if len(set(values)) != len(values):
            raise FieldProblem(field, list(values), f"{noun} names must be unique")

    return check


@attrs.frozen(repr=False)
class _Field(FieldRepr):
    name: str
    conform: Conformer
    rules: _Rules
    required: bool


class Settings(FieldRepr):
    """Base of every construct's settings: unknown keys are mistakes, values are immutable."""

    __slots__ = ()
    setting_fields: ClassVar[tuple[_Field, ...]] = ()

    def consistent(self) -> None:
        """Checks across fields, run once every field is sound; raise FieldProblem to blame one."""


S = TypeVar("S", bound=Settings)


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(setting, required, attrs.field))
def settings_class(cls: type[S]) -> type[S]:
    """Make `cls` a frozen attrs class and work out, once, how each of its fields takes a value."""
    frozen: Any = attrs.frozen(kw_only=True, repr=False)(cls)
    built: Any = attrs.resolve_types(frozen)
    fields = []
    for a in attrs.fields(built):
        rules = a.metadata.get(_SETTING, _Rules())
        if (rules.ge is not None or rules.le is not None) and not is_number(a.type):
            raise TypeError(f"{cls.__name__}.{a.name}: ge= and le= bound numbers, not {a.type!r}")
        fields.append(_Field(a.name, conformer(a.type), rules, a.default is attrs.NOTHING))
    built.setting_fields = tuple(fields)
    made: type[S] = built
    return made


def setting_names(model: type[Settings]) -> list[str]:
    return sorted(f.name for f in model.setting_fields)


def _field_value(field: _Field, value: object) -> object:
    rules = field.rules
    if rules.before is not None:
        value = rules.before(value)
    value = field.conform(value)
    if value is None:
        return value
    if rules.ge is not None and value < rules.ge:  # type: ignore[operator]  # a number: settings_class checks
        raise Invalid(f"Input should be greater than or equal to {rules.ge}", value)
    if rules.le is not None and value > rules.le:  # type: ignore[operator]
        raise Invalid(f"Input should be less than or equal to {rules.le}", value)
    if rules.check is not None:
        try:
            rules.check(value)
        except FieldProblem:
            raise
        except ValueError as exc:  # a check's own ValueError still names its field
            raise FieldProblem(field.name, value, str(exc)) from None
    return value


def validate_settings(
    model: type[S], values: Mapping[str, Any], path: str, profile: str
) -> tuple[S | None, list[Problem]]:
    """Build settings, or return every problem found, each naming path, field and value."""
    where = path if profile == "default" else f"{path} (profile {profile!r})"
    problems: list[Problem] = []
    known = {f.name for f in model.setting_fields}
    for name, value in values.items():
        if not isinstance(name, str):  # a profile's mapping may hold anything
            problems.append(Problem(where, repr(name), value, "Keys should be strings"))
        elif name not in known:
            problems.append(Problem(where, name, value, unknown_setting(model, name)))
    given: dict[str, object] = {}
    for field in model.setting_fields:
        if field.name not in values:
            if field.required:
                problems.append(Problem(where, field.name, None, "Field required"))
            continue
        try:
            given[field.name] = _field_value(field, values[field.name])
        except Invalid as exc:
            for each in exc.each():
                problems.append(Problem(where, ".".join((field.name, *each.where)), each.value, each.message))
        except FieldProblem as exc:
            problems.append(Problem(where, exc.field, exc.value, exc.message))
    if problems:
        return None, problems
    found = model(**given)
    try:
        found.consistent()
    except FieldProblem as exc:
        return None, [Problem(where, exc.field, exc.value, exc.message)]
    return found, []


def unknown_setting(model: type[Settings], name: str) -> str:
    """'unknown setting; did you mean 'memory'? ContainerApp accepts: ...'."""
    known = setting_names(model)
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
    hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
    return f"unknown setting; {hint}{model.__name__.removesuffix('Settings')} accepts: {', '.join(known)}"
