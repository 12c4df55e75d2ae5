"""Synthesis without pauses for Python's cycle collector.

Synthesizing allocates hundreds of thousands of small records that live until the project is
written, and form no reference cycles. The collector, triggered every few hundred allocations,
walks them again and again: a quarter of a 1,000-construct synth. The mypy and Instagram
approach: hold it off while the records are built, and let it run once afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside the block (nested blocks are fine); restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
