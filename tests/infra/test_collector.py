"""Synthesis holds off the cycle collector and leaves what it built in the oldest generation,
without touching a process's own frozen objects."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator

import pytest

from momentloop_infra.pipeline.collector import collector_paused


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation=generation))


@pytest.mark.usefixtures("collector_enabled")
def test_inside_no_collection_afterwards_enabled_and_what_was_built_is_old() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: still paused inside, and after the inner block
            pass
        assert not gc.isenabled()
        built = [{"record": i} for i in range(3)]
        assert _in_generation(built, 0)
    assert gc.isenabled()
    assert _in_generation(built, 2) and not _in_generation(built, 0)
    assert gc.get_freeze_count() == 0


def test_a_disabled_collector_stays_disabled() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


@pytest.mark.usefixtures("collector_enabled")
def test_a_process_that_froze_objects_keeps_them_frozen() -> None:
    kept = [{"startup": True}]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            built = [{"record": 1}]
        assert gc.get_freeze_count() == frozen
        assert _in_generation(built, 0) or _in_generation(built, 1)  # left to the collector as usual
        assert not any(o is kept for o in gc.get_objects())  # still in the permanent generation
    finally:
        gc.unfreeze()


@pytest.mark.usefixtures("collector_enabled")
def test_only_the_outermost_block_promotes() -> None:
    with collector_paused():
        with collector_paused():
            inner = [{"record": 1}]
        assert _in_generation(inner, 0)  # still young: the outer block is not over
    assert _in_generation(inner, 2)


def test_the_console_command_imports_the_cli_with_the_collector_off_and_turns_it_back_on() -> None:
    # In a process of its own, as the console script starts: the collector is off while the CLI,
    # click and attrs are imported; by the end what they created is old and the collector is on.
    probe = (
        "import gc, sys\n"
        "seen = {}\n"
        "def hook(event, args):\n"
        "    if event == 'import' and args[0] in ('momentloop_infra.cli', 'click', 'attrs'):\n"
        "        seen.setdefault(args[0], gc.isenabled())\n"
        "sys.addaudithook(hook)\n"
        "import momentloop_infra.command as command\n"
        "import click, momentloop_infra.cli as cli\n"
        "old = {id(o) for o in gc.get_objects(generation=2)}\n"
        "print(sorted(seen.items()) == [('attrs', False), ('click', False), ('momentloop_infra.cli', False)],\n"
        "      gc.isenabled(), gc.get_freeze_count(),\n"
        "      id(cli.main) in old and id(click.Group) in old, command.run is cli.run)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.split() == ["True", "True", "0", "True", "True"], result.stderr
