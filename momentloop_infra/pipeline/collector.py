"""Synthesis without pauses for Python's cycle collector.

Synthesizing allocates hundreds of thousands of small records that live until the project is
written, and form no reference cycles. The collector, triggered every few hundred allocations,
walks them again and again: a quarter of a 1,000-construct synth. The mypy and Instagram
approach: hold it off while the records are built.

Afterwards the records would all sit in the youngest generation, and the first allocation would
walk every one of them (~25 ms at 500 apps) only to promote them. Freezing and unfreezing moves
them straight to the oldest generation, where a full collection finds them if it ever runs.

What that means for the process around it: freeze/unfreeze promotes every young object, not only
ours, so cyclic garbage made just before or during a synthesis waits for the next full collection
instead of the next young one (a delay, not a leak). It happens once, when the outermost block
ends. A process that froze objects of its own (a pre-fork server) is left alone; one that freezes
from another thread at that very moment is not guarded against.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_depth = threading.local()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block (nested blocks are fine); restored afterwards,
    with what the block allocated already counted as old."""
    was_enabled = gc.isenabled()
    gc.disable()
    _depth.value = getattr(_depth, "value", 0) + 1
    try:
        yield
    finally:
        _depth.value -= 1
        if _depth.value == 0 and gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
