"""The `momentloop-synth` console command's entry point: cli.run, imported with the cycle collector
held off.

Importing click, attrs and the library creates tens of thousands of long-lived objects (modules,
functions, classes) and no garbage worth collecting, yet the collector walks them some fifty times
on the way: about 3 % of the command's wall time. After the imports they move straight to the
oldest generation (as pipeline/collector.py does after a synthesis) and the collector is on again.
Only the console command imports this module; a program importing the library is left alone.
"""

from __future__ import annotations

import gc

gc.disable()
# Imported after the statement above on purpose: that is what this module is for.
from momentloop_infra.cli import run  # noqa: E402

if gc.get_freeze_count() == 0:
    gc.freeze()
    gc.unfreeze()
gc.enable()

__all__ = ["run"]
