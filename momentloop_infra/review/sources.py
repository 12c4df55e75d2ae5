"""Where the other side of a diff comes from: the same stack at a git ref, unpacked with
`git archive` into a temporary folder (the user's checkout is never touched) and loaded there
with the library that is running now."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from momentloop_infra.errors import StackError
from momentloop_infra.loader import LoadError, load_stack
from momentloop_infra.pipeline.synthesize import synthesize
from momentloop_infra.review.assignments import with_assignment_grants
from momentloop_infra.review.snapshot import Snapshot, snapshot_of


class SourceError(Exception):
    """The ref or folder to compare with cannot be used; the message says why."""


def _git(*args: str, cwd: Path | None = None) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60, check=False)
    except FileNotFoundError:
        raise SourceError("git is not installed; use --against-dir to compare with an output folder") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(message[-1] if message else f"git {' '.join(args)} failed")
    return result.stdout.decode("utf-8", "replace").strip()


def repository_root() -> Path:
    try:
        return Path(_git("rev-parse", "--show-toplevel"))
    except SourceError:
        raise SourceError("not inside a git repository; use --against-dir to compare with an output folder") from None


def default_ref() -> str:
    """The merge base with the default branch (origin's HEAD, else main or master), else HEAD."""
    candidates = []
    with contextlib.suppress(SourceError):
        candidates.append(_git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"))
    candidates += ["origin/main", "origin/master", "main", "master"]
    for branch in candidates:
        with contextlib.suppress(SourceError):
            return _git("merge-base", "HEAD", branch)
    return "HEAD"


def _user_modules(root: Path) -> dict[str, ModuleType]:
    """Modules loaded from the repository (the stack and its helpers): not the library itself,
    nor anything installed (a virtual environment inside the repository included)."""
    inside = str(root) + os.sep
    # os.path.abspath, not Path.resolve: no symlink lookups, for the hundreds of modules loaded.
    installed = tuple(os.path.abspath(p) + os.sep for p in {sys.prefix, sys.base_prefix})  # noqa: PTH100
    found: dict[str, ModuleType] = {}
    for name, module in list(sys.modules.items()):
        if name == "__main__" or name.split(".")[0] == "momentloop_infra":
            continue
        # A namespace package (a folder without __init__.py) has a __path__ but no __file__.
        file = getattr(module, "__file__", None)
        places = [file] if file is not None else list(getattr(module, "__path__", None) or ())
        for place in places:
            path = os.path.abspath(place)  # noqa: PTH100
            if path.startswith(inside) and not path.startswith(installed) and "-packages" + os.sep not in path:
                found[name] = module
                break
    return found


def _unpack(archive: bytes, into: Path) -> None:
    """The regular files of a `git archive` tar (links and anything leaving `into` skipped)."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar:
            parts = Path(member.name).parts
            if not member.isfile() or member.name.startswith("/") or ".." in parts:
                continue
            source = tar.extractfile(member)
            if source is None:
                continue
            target = into.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())


@contextlib.contextmanager
def _isolated_imports(root: Path) -> Iterator[None]:
    """Import the stack afresh under `root`, then put the caller's modules and path back."""
    saved_path, saved_cwd = list(sys.path), Path.cwd()
    saved = _user_modules(saved_cwd.resolve())
    for name in saved:
        del sys.modules[name]
    try:
        yield
    finally:
        for name in _user_modules(root):
            del sys.modules[name]
        sys.modules.update(saved)
        sys.path[:] = saved_path
        os.chdir(saved_cwd)


def snapshot_at_ref(ref: str, app: str, profiles: tuple[str, ...]) -> dict[str, Snapshot]:
    """The stack `app` as committed at `ref`, one snapshot per profile. An app that does not
    exist at `ref` is a new stack: empty snapshots."""
    root = repository_root()
    prefix = _git("rev-parse", "--show-prefix")
    commit = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=root, capture_output=True, check=False)
    if archive.returncode != 0:
        raise SourceError(f"cannot read {ref}: {archive.stderr.decode('utf-8', 'replace').strip()}")
    source = f"{ref} ({commit[:12]})" if ref != commit else commit[:12]
    # Memory-backed when the system has it: unpacking a repository is hundreds of small files.
    scratch = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="momentloop-diff-", dir=scratch) as tmp:
        _unpack(archive.stdout, Path(tmp))
        where = Path(tmp) / prefix
        if not where.is_dir():
            return {p: Snapshot.empty("", p, source) for p in profiles}
        with _isolated_imports(Path(tmp).resolve()):
            os.chdir(where)
            try:
                stack = load_stack(app)
            except LoadError as exc:
                target = app.rpartition(":")[0]
                if f"no file {target}" in str(exc) or f"cannot import {target!r}" in str(exc):
                    return {p: Snapshot.empty("", p, source) for p in profiles}
                raise SourceError(f"at {ref}: {exc}") from None
            try:
                projects = {p: synthesize(stack, p, validate=False) for p in profiles}
                return {p: with_assignment_grants(snapshot_of(project, source)) for p, project in projects.items()}
            except StackError as exc:
                raise SourceError(f"the stack at {ref} does not synthesize: {exc}") from None
