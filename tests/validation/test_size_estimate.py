"""The compiled-size estimate computed in a forked child (momentloop-synth's validation) is the one
computed in the process: the same sizes and findings, from a real child; and where a child cannot
help (it fails, or the process has other threads) the process computes them itself."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.generated_stack import generated
from momentloop_infra import synthesize
from momentloop_infra.model.project import Project
from momentloop_infra.validation import size_estimate, template_size
from momentloop_infra.validation.core import validate_project
from momentloop_infra.validation.template_size import CompiledSizes, compiled_sizes
from tests.validation.test_template_size import _huge, _one_big_module


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


def pids(record: Path) -> list[int]:
    return [int(line) for line in record.read_text().split()]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a child process is forked on POSIX only")
def test_a_child_process_computes_the_sizes_this_one_would(measured_in: Path) -> None:
    project = synthesize(generated(40), validate=False)
    with size_estimate.size_estimate(project, in_child=True) as sizes:
        found = sizes()
        assert sizes() is found  # asked twice, measured once
    assert found == compiled_sizes(project)
    (child,) = pids(measured_in)
    assert child != os.getpid()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a child process is forked on POSIX only")
@pytest.mark.parametrize("project", [_huge(), _one_big_module(1_100_000)], ids=["over-4-mb", "resource-over-1-mb"])
def test_validation_with_a_child_reports_what_validation_without_one_reports(project: Project) -> None:
    alone, _ = validate_project(project)
    beside, _ = validate_project(project, parallel=True)
    assert [f for f in alone.findings if f.rule == "ML210"]  # the estimate decides something here
    assert beside.findings == alone.findings


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a child process is forked on POSIX only")
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


@pytest.mark.skipif(not hasattr(os, "fork"), reason="a child process is forked on POSIX only")
def test_a_child_nobody_asks_is_still_reaped(monkeypatch: pytest.MonkeyPatch) -> None:
    forked: list[int] = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    project = synthesize(generated(3), validate=False)
    with pytest.raises(RuntimeError), size_estimate.size_estimate(project, in_child=True):
        raise RuntimeError("a check before the estimate failed")
    (child,) = forked
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped already: no zombie left behind
