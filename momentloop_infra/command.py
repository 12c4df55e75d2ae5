"""The `momentloop-synth` console command's entry point: cli.run, imported with the cycle collector
held off.

Importing click, attrs and the library creates tens of thousands of long-lived objects (modules,
functions, classes) and no garbage worth collecting, yet the collector walks them some fifty times
on the way: about 3 % of the command's wall time. `collector_paused` holds it off and leaves them in
the oldest generation, as it does for a synthesis. Only the console command imports this module; a
program importing the library is left alone.
"""

from __future__ import annotations

from momentloop_infra.pipeline.collector import collector_paused

with collector_paused():
    from momentloop_infra.cli import run

__all__ = ["run"]
