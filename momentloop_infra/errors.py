"""Problems found in a stack: collected, never thrown one at a time."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from momentloop_infra.field_repr import FieldRepr


@attrs.frozen(repr=False)
class Problem(FieldRepr):
    """One mistake in a stack: who (construct path), what (field and value) and how to fix it."""

    path: str
    field: str
    value: object
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else self.path
        shown = "" if self.value is None else f" = {self.value!r}"
        return f"{where}{shown}: {self.message}"


class StackWarning(UserWarning):
    """A validation warning on a synthesized stack (the output is written; worth a look)."""


class StackError(Exception):
    """Raised by synthesis when the stack has problems; carries every one of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the stack:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))
