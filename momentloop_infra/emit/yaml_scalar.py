"""One YAML scalar: plain where that is unambiguous, otherwise a JSON string (also a YAML string)."""

from __future__ import annotations

import json
import re

_PLAIN = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./-]*$")
# Plain scalars YAML 1.1 readers (GitHub Actions among them) take for booleans or null.
_RESERVED = frozenset({"true", "false", "null", "yes", "no", "on", "off", "~"})


def yaml_scalar(value: str) -> str:
    if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    return json.dumps(value)
