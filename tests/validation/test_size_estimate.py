"""The compiled-size estimate computed in a forked child (momentloop-synth's validation) is the one
computed in the process: the same sizes and findings, from a real child; and where a child cannot
help (it fails, or the process has other threads) the process computes them itself."""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from benchmarks.generated_stack import generated
from momentloop_infra import synthesize
from momentloop_infra.emit.files import Layout, render_files
from momentloop_infra.model.project import Project
from momentloop_infra.pipeline.run import synthesize_files
from momentloop_infra.validation import size_estimate, template_size
from momentloop_infra.validation.core import validate_project
from momentloop_infra.validation.template_size import CompiledSizes, compiled_sizes
from tests.validation.test_template_size import _huge, _one_big_module


@pytest.fixture
def forkable() -> None:
    """A fork needs POSIX and a process with one thread, checked when the test runs. In the whole
    suite the process has other threads by then: test_size_estimate_process.py runs these tests
    in a process of their own, where none may skip."""
    if not size_estimate._forkable():
        pytest.skip("a child is forked only on POSIX, by a process with one thread")


needs_a_fork = pytest.mark.usefixtures("forkable")


@pytest.fixture
def measured_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A file to which each process that computes compiled sizes appends its pid."""
    record = tmp_path / "pids"
    record.touch()

    def recording(project: Project) -> CompiledSizes:
        with record.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return compiled_sizes(project)

    monkeypatch.setattr(size_estimate, "compiled_sizes", recording)
    yield record


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pid of every child os.fork makes during the test."""
    children: list[int] = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:
            children.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    return children


def pids(record: Path) -> list[int]:
    return [int(line) for line in record.read_text().split()]


@needs_a_fork
def test_a_child_process_computes_the_sizes_this_one_would(measured_in: Path) -> None:
    project = synthesize(generated(40), validate=False)
    with size_estimate.size_estimate(project, in_child=True) as sizes:
        found = sizes()
        assert sizes() is found  # asked twice, measured once
    assert found == compiled_sizes(project)
    (child,) = pids(measured_in)
    assert child != os.getpid()


@needs_a_fork
def test_files_rendered_while_a_child_measures_are_those_rendered_after_validation(
    measured_in: Path, tmp_path: Path
) -> None:
    layout = Layout.of(tmp_path, None, tmp_path)
    expected = render_files(synthesize(generated(40)), layout)
    measured_in.write_text("")
    project, files = synthesize_files(generated(40), "default", layout, parallel=True)
    assert files == expected
    assert project.report is not None and project.report.errors == ()
    (child,) = pids(measured_in)  # measured once, by a child, while this process rendered
    assert child != os.getpid()


@needs_a_fork
@pytest.mark.parametrize("project", [_huge(), _one_big_module(1_100_000)], ids=["over-4-mb", "resource-over-1-mb"])
def test_validation_with_a_child_reports_what_validation_without_one_reports(project: Project) -> None:
    alone, _ = validate_project(project)
    beside, _ = validate_project(project, parallel=True)
    assert [f for f in alone.findings if f.rule == "ML210"]  # the estimate decides something here
    assert beside.findings == alone.findings


@needs_a_fork
def test_a_failing_child_leaves_the_estimate_to_this_process(
    measured_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = os.getpid()
    real = template_size.compiled_sizes

    def fails_in_a_child(project: Project) -> CompiledSizes:
        with measured_in.open("a") as out:
            out.write(f"{os.getpid()}\n")
        if os.getpid() != here:
            raise MemoryError("the child ran out")
        return real(project)

    monkeypatch.setattr(size_estimate, "compiled_sizes", fails_in_a_child)
    project = synthesize(generated(3), validate=False)
    with size_estimate.size_estimate(project, in_child=True) as sizes:
        assert sizes() == real(project)
    child, parent = pids(measured_in)
    assert child != here and parent == here


def test_with_another_thread_running_nothing_is_forked(measured_in: Path) -> None:
    project = synthesize(generated(3), validate=False)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with size_estimate.size_estimate(project, in_child=True) as sizes:
            assert sizes() == compiled_sizes(project)
    finally:
        stop.set()
        other.join()
    assert pids(measured_in) == [os.getpid()]


@needs_a_fork
def test_a_child_nobody_asks_is_still_reaped(forked: list[int]) -> None:
    project = synthesize(generated(3), validate=False)
    with pytest.raises(RuntimeError), size_estimate.size_estimate(project, in_child=True):
        raise RuntimeError("a check before the estimate failed")
    (child,) = forked
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped already: no zombie left behind


def slow_in_a_child(seconds: float) -> Callable[[Project], CompiledSizes]:
    """compiled_sizes, after `seconds` of sleep when called in a forked child."""
    here = os.getpid()

    def slow(project: Project) -> CompiledSizes:
        if os.getpid() != here:
            time.sleep(seconds)
        return compiled_sizes(project)

    return slow


@needs_a_fork
def test_a_child_stuck_past_the_timeout_is_killed_and_the_estimate_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(size_estimate, "compiled_sizes", slow_in_a_child(60))
    monkeypatch.setattr(size_estimate, "CHILD_TIMEOUT_S", 0.5)
    project = synthesize(generated(3), validate=False)
    started = time.monotonic()
    with size_estimate.size_estimate(project, in_child=True) as sizes:
        assert sizes() == compiled_sizes(project)
    assert time.monotonic() - started < 10


@needs_a_fork
def test_an_unasked_child_is_stopped_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(size_estimate, "compiled_sizes", slow_in_a_child(60))
    project = synthesize(generated(3), validate=False)
    started = time.monotonic()
    with pytest.raises(RuntimeError), size_estimate.size_estimate(project, in_child=True):
        raise RuntimeError("a check before the estimate failed")
    assert time.monotonic() - started < 10


@needs_a_fork
def test_ctrl_c_while_waiting_for_the_child_is_a_keyboard_interrupt_and_leaves_no_child(
    forked: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(size_estimate, "compiled_sizes", slow_in_a_child(60))
    project = synthesize(generated(3), validate=False)
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(KeyboardInterrupt), size_estimate.size_estimate(project, in_child=True) as sizes:
            sizes()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    (child,) = forked
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)


@needs_a_fork
def test_with_sigchld_ignored_the_childs_figures_still_count(
    measured_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A parent ignoring SIGCHLD (inherited across exec) has its children reaped by the system.
    project = synthesize(generated(3), validate=False)
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        with size_estimate.size_estimate(project, in_child=True) as sizes:
            assert sizes() == compiled_sizes(project)
    finally:
        signal.signal(signal.SIGCHLD, previous)
    (child,) = pids(measured_in)
    assert child != os.getpid()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="threads are counted in /proc")
def test_a_thread_threading_does_not_know_of_also_prevents_a_fork(
    measured_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = synthesize(generated(3), validate=False)
    hold = _thread.allocate_lock()
    hold.acquire()
    _thread.start_new_thread(hold.acquire, ())  # a native-style thread: not in threading's count
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # only the thread count in /proc tells
    try:
        with size_estimate.size_estimate(project, in_child=True) as sizes:
            sizes()
    finally:
        hold.release()
    assert pids(measured_in) == [os.getpid()]


def test_no_stdout_is_no_reason_to_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)  # a process started with stdout closed
    project = synthesize(generated(3), validate=False)
    with size_estimate.size_estimate(project, in_child=True) as sizes:
        assert sizes() == compiled_sizes(project)
