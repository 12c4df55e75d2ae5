"""The YAML files (azure.yaml, the deploy workflow) from jinja2 templates (StrictUndefined); the
Bicep files are printed directly (bicep_file.py, bicepparam.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2

from momentloop_infra.emit.bicep_file import finish

_PLAIN_YAML = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./-]*$")


def _yaml(value: str) -> str:
    # Plain scalars where unambiguous; otherwise a JSON string, which is also a YAML string.
    if _PLAIN_YAML.match(value) and value.lower() not in {
        "true",
        "false",
        "null",
        "yes",
        "no",
        "on",
        "off",
        "~",
    }:
        return value
    return json.dumps(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("momentloop_infra.emit", "templates"),
        # Compiling the templates is a tenth of a synth's time: jinja keeps the compiled code in a
        # private folder under the temporary directory, keyed by each template's checksum.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["yaml"] = _yaml
    return env


def render_azure_yaml(context: Mapping[str, Any]) -> str:
    return finish(environment().get_template("azure.yaml.j2").render(**context))
