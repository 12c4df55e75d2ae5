"""The compiled-size estimate (ML210) worked out beside the other checks, in a child process.

For a large stack the estimate is about half of validation: it builds the whole compiled
main.json to measure it. It reads the finished project and nothing else, so a caller that owns
its process (momentloop-synth: one thread, nothing else running) can have it computed by a forked
child while this process runs the rest. The child sends back three values; if it cannot be
started, fails, or takes too long, the estimate is computed here instead, so the result never
depends on which.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from momentloop_infra.model.project import Project
from momentloop_infra.validation.template_size import CompiledSizes, compiled_sizes

# A child not done by then is taken as stuck (a lock it inherited held forever): killed, and the
# estimate made here. At 1,000 apps it takes a fifth of a second.
CHILD_TIMEOUT_S = 30.0


@contextmanager
def size_estimate(project: Project, *, in_child: bool) -> Iterator[Callable[[], CompiledSizes]]:
    """A function returning the project's compiled sizes. With `in_child`, on POSIX and in a
    process with one thread (a fork copies only the calling thread, and another might hold a lock
    the child needs), they are computed from now on in a forked child; else when first asked."""
    child = _Child.start(project) if in_child and _forkable() else None
    if child is None:
        yield lambda: compiled_sizes(project)
        return
    try:
        yield lambda: child.result() or compiled_sizes(project)
    finally:
        child.close()


def _forkable() -> bool:
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:  # threads Python does not know of (started by a native library the stack imported)
        return sum(1 for _ in Path("/proc/self/task").iterdir()) == 1
    except OSError:  # no /proc (macOS): threading's count is all there is
        return True


class _Child:
    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self.pipe: int | None = pipe
        self.done: CompiledSizes | None = None
        self.reaped = False

    @classmethod
    def start(cls, project: Project) -> _Child | None:
        # Nothing buffered may be written twice: the child leaves through os._exit, flushing nothing.
        for stream in (sys.stdout, sys.stderr):
            with suppress(AttributeError, OSError, ValueError):  # None, a closed or broken stream
                stream.flush()
        read_end, write_end = os.pipe()
        # Ctrl-C arriving between fork and the child's try would run the parent's code in the child.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pid = os.fork()
        except Exception:  # any refusal (a warning made an error too): the estimate is made here instead
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the child: measure, send, and leave without running the parent's exit handlers
            status = 1
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                os.close(read_end)
                sizes = compiled_sizes(project)
                payload = json.dumps([sizes.total, sizes.largest, sizes.largest_symbol]).encode()
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        child = cls(pid, read_end)
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a Ctrl-C held back arrives here
        except BaseException:
            child.close()
            raise
        return child

    def result(self) -> CompiledSizes | None:
        """The child's sizes, once it has finished; None if it failed or did not finish in time."""
        if self.reaped:
            return self.done
        data = b""
        try:
            data = self._read()
        finally:
            code = self._reap(kill=data == b"")
        if code in (0, None) and data:  # None: reaped by the system (SIGCHLD ignored); the data tells
            with suppress(ValueError, TypeError):
                total, largest, symbol = json.loads(data)
                self.done = CompiledSizes(int(total), int(largest), str(symbol))
        return self.done

    def close(self) -> None:
        """Stop and reap the child if nobody asked for its result (a check before it raised)."""
        if not self.reaped:
            self._reap(kill=True)

    def _read(self) -> bytes:
        """Everything the child writes, or nothing if it is not done within CHILD_TIMEOUT_S."""
        assert self.pipe is not None
        data = b""
        deadline = time.monotonic() + CHILD_TIMEOUT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.pipe], [], [], left)[0]:
                return b""
            chunk = os.read(self.pipe, 65536)
            if not chunk:
                return data
            data += chunk

    def _reap(self, *, kill: bool) -> int | None:
        """The child's exit code once it has gone (killed first with `kill`); None if unknown."""
        if self.pipe is not None:
            os.close(self.pipe)
            self.pipe = None
        self.reaped = True
        if kill:
            with suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped already by the system
            return None
        return os.waitstatus_to_exitcode(status)
