"""The backend's console scripts, guarded: a plain `pip install .` installs the synthesizer only.

Each script first checks that the distributions of the `app` extra are installed (read from the
package's own metadata, so the list is the one in pyproject.toml) and otherwise says in one
sentence which extra to install, exit code 2, instead of a `ModuleNotFoundError` traceback. Only
then is the real command imported (a lazy import of optional dependencies, on purpose).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from importlib import metadata
from typing import cast

DISTRIBUTION = "momentloop"
EXTRA = "app"
INSTALL_HINT = "pip install '.[app]'"
#: console script -> the module whose `main()` it runs once the extra is there.
COMMANDS = {
    "momentloop-token": "momentloop_app.auth",
    "momentloop-migrate": "momentloop_app.db.migrate",
    "momentloop-worker": "momentloop_app.jobs.cli",
}

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_EXTRA_MARKER = re.compile(r"""\bextra\s*==\s*["']""" + EXTRA + r"""["']""")


def missing_app_distributions() -> list[str]:
    """The `app` extra's distributions that are not installed (none when running from a source tree)."""
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return []
    missing: list[str] = []
    for requirement in requirements:
        spec, _, marker = requirement.partition(";")
        found = _NAME.match(spec.strip())
        if not found or not _EXTRA_MARKER.search(marker):
            continue
        try:
            metadata.distribution(found.group(0))
        except metadata.PackageNotFoundError:
            missing.append(found.group(0))
    return missing


def install_hint(prog: str, missing: list[str]) -> str:
    shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
    return f"{prog}: the backend's '{EXTRA}' extra is not installed (missing {shown}): run {INSTALL_HINT}"


def _run(prog: str) -> int:
    module_name = COMMANDS[prog]
    missing = missing_app_distributions()
    if missing:
        print(install_hint(prog, missing), file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is None or error.name.partition(".")[0] == "momentloop_app":
            raise
        print(install_hint(prog, [error.name]), file=sys.stderr)
        return 2
    command = cast(Callable[[], int], module.main)
    return command()


def token() -> int:
    """`momentloop-token USER_ID`: a development JWT signed with JWT_SECRET."""
    return _run("momentloop-token")


def migrate() -> int:
    """`momentloop-migrate [REVISION]`: apply the database migrations."""
    return _run("momentloop-migrate")


def worker() -> int:
    """`momentloop-worker`: run export jobs in a process of its own."""
    return _run("momentloop-worker")
