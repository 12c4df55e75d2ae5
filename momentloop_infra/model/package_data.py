"""The package's own data files (momentloop_infra/data/), read by path.

momentloop installs as plain files (its wheel is unpacked into site-packages, never imported from a
zip), so the files lie beside this module. importlib.resources would reach them as well, at a cost
of about 5 ms of imports in every process, which the command a pull request gate runs would pay.
"""

from __future__ import annotations

from pathlib import Path

_DATA = Path(__file__).parent.parent / "data"


def data_text(name: str) -> str:
    """The text of `data/<name>` (a path inside the data folder, '/'-separated)."""
    return _DATA.joinpath(name).read_text("utf-8")
