"""Usage the stack cannot know, each with its default and the option that changes it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from momentloop_infra.field_repr import FieldRepr


@attrs.frozen(repr=False)
class Assumption(FieldRepr):
    name: str
    default: float
    unit: str
    about: str

    @property
    def option(self) -> str:
        return f"--assume {self.name}=N"


ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "active_hours", 365, "hours/month", "hours a month each container app has a replica busy (about 12 h a day)"
    ),
    Assumption("requests_millions", 1, "million/month", "HTTP requests a month, per container app"),
    Assumption("storage_gb", 1, "GB", "data kept in each storage account"),
    Assumption("storage_writes_10k", 0.1, "x10,000/month", "blob write operations a month"),
    Assumption("storage_reads_10k", 1, "x10,000/month", "blob read operations a month"),
    Assumption("vault_operations_10k", 1, "x10,000/month", "Key Vault secret reads a month"),
    Assumption("log_gb", 1, "GB/month", "logs ingested into each Log Analytics workspace"),
)
BY_NAME = {a.name: a for a in ASSUMPTIONS}


class AssumptionError(ValueError):
    """An --assume option that names no assumption or gives no number."""


def parse_assumptions(given: Iterable[str]) -> dict[str, float]:
    """`name=value` strings → values, every assumption present (defaults for the rest)."""
    values = {a.name: float(a.default) for a in ASSUMPTIONS}
    for item in given:
        name, sep, text = item.partition("=")
        if not sep or name.strip() not in BY_NAME:
            known = ", ".join(BY_NAME)
            raise AssumptionError(f"--assume {item!r}: expected name=number with a name among {known}")
        try:
            value = float(text)
        except ValueError:
            raise AssumptionError(f"--assume {item!r}: {text!r} is not a number") from None
        if value < 0:
            raise AssumptionError(f"--assume {item!r}: usage cannot be negative")
        values[name.strip()] = value
    return values


def changed(values: Mapping[str, float]) -> dict[str, float]:
    return {k: v for k, v in values.items() if v != BY_NAME[k].default}
