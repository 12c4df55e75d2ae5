"""Typed construct settings (pydantic) and the translation of their errors into Problems."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from momentloop_infra.errors import Problem


class Settings(BaseModel):
    """Base of every construct's settings: unknown keys are mistakes, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


S = TypeVar("S", bound=Settings)


class FieldProblem(ValueError):
    """Raised by a settings validator to blame one field, with the fix in the message."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.message = message


def validate_settings(
    model: type[S], values: Mapping[str, Any], path: str, profile: str
) -> tuple[S | None, list[Problem]]:
    """Build settings, or return every problem pydantic found, each naming path, field and value."""
    try:
        return model.model_validate(dict(values)), []
    except ValidationError as exc:
        where = path if profile == "default" else f"{path} (profile {profile!r})"
        problems = []
        for error in exc.errors():
            cause = (error.get("ctx") or {}).get("error")
            if isinstance(cause, FieldProblem):
                problems.append(Problem(where, cause.field, cause.value, cause.message))
                continue
            field = ".".join(str(part) for part in error["loc"])
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = unknown_setting(model, field)
            problems.append(Problem(where, field, error.get("input"), message))
        return None, problems


def unknown_setting(model: type[BaseModel], name: str) -> str:
    """'unknown setting; did you mean 'memory'? ContainerApp accepts: ...'."""
    known = sorted(model.model_fields)
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
    hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
    return f"unknown setting; {hint}{model.__name__.removesuffix('Settings')} accepts: {', '.join(known)}"
