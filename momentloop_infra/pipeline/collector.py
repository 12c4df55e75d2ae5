"""Synthesis without pauses for Python's cycle collector.

Synthesizing allocates hundreds of thousands of small records that live until the project is
written, and form no reference cycles. The collector, triggered every few hundred allocations,
walks them again and again: a quarter of a 1,000-construct synth. The mypy and Instagram
approach: hold it off while the records are built.

Afterwards the records would all sit in the youngest generation, and the first allocation would
walk every one of them (~25 ms at 500 apps) only to promote them. Freezing and unfreezing moves
them straight to the oldest generation, where a full collection finds them if it ever runs. A
process that froze objects of its own (a pre-fork server) keeps them frozen: it is left alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block (nested blocks are fine); restored afterwards,
    with what the block allocated already counted as old."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
