"""Load a Stack from `module:attribute` or `path/to/file.py:attribute`, with plain-language errors."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

from momentloop_infra.stack import Stack


class LoadError(Exception):
    """The stack could not be loaded; the message says why, for a person."""


def _import_file(path: Path) -> ModuleType:
    name = f"_momentloop_stack_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _where(exc: BaseException) -> str:
    """The last frame of the user's own code, so the message points at their line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "momentloop_infra" not in f.filename]
    if not frames:
        return ""
    frame = frames[-1]
    return f" ({frame.filename}, line {frame.lineno})"


def load_stack(spec: str) -> Stack:
    target, sep, attribute = spec.rpartition(":")
    if not sep or not target or not attribute:
        raise LoadError(f"--app {spec!r}: expected module:attribute or path/to/file.py:attribute")
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        if target.endswith(".py"):
            path = Path(target)
            if not path.is_file():
                raise LoadError(f"--app {spec!r}: no file {target}")
            module = _import_file(path)
        else:
            module = importlib.import_module(target)
    except LoadError:
        raise
    except ModuleNotFoundError as exc:
        raise LoadError(f"--app {spec!r}: cannot import {exc.name!r}{_where(exc)}") from None
    except Exception as exc:
        raise LoadError(f"--app {spec!r}: loading the stack failed: {type(exc).__name__}: {exc}{_where(exc)}") from None
    value = getattr(module, attribute, None)
    if value is None:
        raise LoadError(f"--app {spec!r}: {target} has no attribute {attribute!r}")
    if not isinstance(value, Stack):
        raise LoadError(f"--app {spec!r}: {attribute!r} is a {type(value).__name__}, not a Stack")
    return value
