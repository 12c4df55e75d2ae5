"""Findings: what validation reports, one record per problem, with where it is and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import attrs

from momentloop_infra.errors import Problem
from momentloop_infra.field_repr import FieldRepr

Level = Literal["error", "warning", "note"]


@attrs.frozen(repr=False)
class Finding(FieldRepr):
    """One result of one rule on one construct.

    `file` is relative to `infra/` ('modules/storage.bicep'), `symbol` the resource (or module,
    parameter, output) it concerns, `field` the property path inside it. `line` is filled in once
    the files are rendered. `suppressed` holds the written reason when the construct silenced it.
    """

    rule: str
    level: Level
    path: str
    field: str
    value: object
    message: str
    file: str = ""
    symbol: str = ""
    line: int | None = None
    suppressed: str | None = None

    @property
    def blocking(self) -> bool:
        return self.level == "error" and self.suppressed is None

    def problem(self) -> Problem:
        return Problem(self.path, self.field, self.value, f"{self.message} [{self.rule}]")

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        shown = "" if self.value is None else f" = {self.value!r}"
        field = f"{self.field}{shown}: " if self.field else (f"{shown[3:]}: " if shown else "")
        where = f" ({self.where})" if self.where else ""
        return f"{self.level} {self.rule}{where}: {field}{self.message}"


@attrs.frozen(repr=False)
class Report(FieldRepr):
    """Every finding of one validation, in a stable order."""

    stack: str
    profile: str
    findings: tuple[Finding, ...]

    @classmethod
    def of(cls, stack: str, profile: str, findings: Iterable[Finding]) -> Report:
        order = {"error": 0, "warning": 1, "note": 2}
        unique = list(dict.fromkeys(findings))
        unique.sort(key=lambda f: (f.path, order[f.level], f.rule, f.file, f.symbol, f.field))
        return cls(stack, profile, tuple(unique))

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "warning" and f.suppressed is None)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is not None)

    def summary(self) -> str:
        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        return (
            f"{count(len(self.errors), 'error')}, {count(len(self.warnings), 'warning')}, "
            f"{len(self.suppressed)} suppressed with a reason in stack {self.stack!r} (profile {self.profile})"
        )
