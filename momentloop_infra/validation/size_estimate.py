"""The compiled-size estimate (ML210) worked out beside the other checks, in a child process.

For a large stack the estimate is about half of validation: it builds the whole compiled
main.json to measure it. It reads the finished project and nothing else, so a caller that owns
its process (momentloop-synth: one thread, nothing else running) can have it computed by a forked
child while this process runs the rest. The child sends back three values; if it cannot be
started, or fails, the estimate is computed here instead, so the result never depends on which.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from momentloop_infra.model.project import Project
from momentloop_infra.validation.template_size import CompiledSizes, compiled_sizes


@contextmanager
def size_estimate(project: Project, *, in_child: bool) -> Iterator[Callable[[], CompiledSizes]]:
    """A function returning the project's compiled sizes. With `in_child`, on POSIX and in a
    process with one thread (a fork copies only the calling thread, and another might hold a lock
    the child needs), they are computed from now on in a forked child; else when first asked."""
    if not in_child or not hasattr(os, "fork") or threading.active_count() != 1:
        yield lambda: compiled_sizes(project)
        return
    child = _Child.start(project)
    if child is None:
        yield lambda: compiled_sizes(project)
        return
    try:
        yield lambda: child.result() or compiled_sizes(project)
    finally:
        child.close()


class _Child:
    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self.pipe = pipe
        self.done: CompiledSizes | None = None
        self.reaped = False

    @classmethod
    def start(cls, project: Project) -> _Child | None:
        read_end, write_end = os.pipe()
        # Nothing buffered may be written twice: the child leaves through os._exit, flushing nothing.
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the child: measure, send, and leave without running the parent's exit handlers
            status = 1
            try:
                os.close(read_end)
                sizes = compiled_sizes(project)
                payload = json.dumps([sizes.total, sizes.largest, sizes.largest_symbol]).encode()
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        return cls(pid, read_end)

    def result(self) -> CompiledSizes | None:
        """The child's sizes, once it has finished; None if it failed."""
        if self.reaped:
            return self.done
        with os.fdopen(self.pipe, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        if os.waitstatus_to_exitcode(status) == 0 and data:
            total, largest, symbol = json.loads(data)
            self.done = CompiledSizes(int(total), int(largest), str(symbol))
        return self.done

    def close(self) -> None:
        """Reap the child if nobody asked for its result (a check before it raised)."""
        if not self.reaped:
            os.close(self.pipe)
            os.waitpid(self.pid, 0)
            self.reaped = True
