"""The layout a stack is synthesized in, and the next one to try when a template of it is past one
of ARM's limits (ML210).

A stack under 800 module calls gets a module file per construct, the seed's layout; past that like
constructs share files and their calls loop, and past 800 in main.bicep the calls go into grouping
modules, each kept under a size budget estimated before the loops form. Either choice can still
miss: a few hundred distinct files pass 4 MB in main.json sooner where each app has many
connections, and the estimate counts a file's template once per group where calls of it that read
different lone modules form several loops, each holding the template. So a refused layout is
followed by the next: shared files, then grouping modules of half the budget, down to a floor.
"""

from __future__ import annotations

import attrs

from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.findings import Report
from momentloop_infra.pipeline.fit import GROUP_BUDGET_BYTES
from momentloop_infra.validation.rules import RESOURCE_SIZE_FIELD, SIZE_FIELD, TEMPLATE_LIMITS_RULE

MIN_GROUP_BUDGET_BYTES = 96 * 1024  # three halvings of the first


@attrs.frozen(repr=False)
class Shape(FieldRepr):
    """Whether like constructs share module files whatever the stack's size, and the budget of
    one grouping module's deployment."""

    share: bool = False
    budget: int = GROUP_BUDGET_BYTES


def next_shape(shape: Shape, report: Report, shares_anyway: bool, groups: frozenset[str]) -> Shape | None:
    """The layout to try after `shape` was refused with `report`; None when what refused it is not
    a size past a limit, or no other layout is left that could help. `shares_anyway`: the stack
    is large enough to share files as is; `groups`: the grouping modules (main.bicep symbols)
    holding more than one call, which a smaller budget splits."""
    if any(f.rule != TEMPLATE_LIMITS_RULE for f in report.errors):
        return None  # a mistake of the stack's own: no layout mends it
    # Only sizes change with the layout: a count past a limit in one module file is that file's.
    sizes = [f for f in report.errors if f.field in (SIZE_FIELD, RESOURCE_SIZE_FIELD)]
    if not sizes:
        return None
    if not shape.share and not shares_anyway:
        return attrs.evolve(shape, share=True)
    split = any(f.field == RESOURCE_SIZE_FIELD and f.symbol in groups for f in sizes)
    if split and shape.budget // 2 >= MIN_GROUP_BUDGET_BYTES:
        return Shape(share=True, budget=shape.budget // 2)
    return None


FIRST_SHAPE = Shape()  # a file per construct below 800 module calls, the full budget
