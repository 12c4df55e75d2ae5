"""One review of a change: the diff, its security rows and the cost on both sides, per profile."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.review.cost import CostReport, estimate
from momentloop_infra.review.diff import StackDiff, diff_snapshots
from momentloop_infra.review.security import SecurityRow, broadening, security_rows
from momentloop_infra.review.snapshot import Snapshot


@attrs.frozen(repr=False)
class Review(FieldRepr):
    diff: StackDiff
    security: tuple[SecurityRow, ...]
    cost_old: CostReport
    cost_new: CostReport

    @property
    def profile(self) -> str:
        return self.diff.new.profile

    @property
    def broadening(self) -> tuple[SecurityRow, ...]:
        return broadening(self.security)

    @property
    def cost_change(self) -> float:
        return round(self.cost_new.total - self.cost_old.total, 2)


def review(old: Snapshot, new: Snapshot, assumptions: Mapping[str, float]) -> Review:
    diff = diff_snapshots(old, new)
    return Review(diff, security_rows(diff), estimate(old, assumptions), estimate(new, assumptions))
