"""Every generated file parses with a real Bicep grammar; azure.yaml validates against azd's schema."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import tree_sitter
import tree_sitter_bicep
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

from tests.validation.conftest import OUTPUTS, REPO

BICEP = tree_sitter.Language(tree_sitter_bicep.language())


def parse_errors(text: str) -> list[str]:
    """Every ERROR or MISSING node, as 'line:column text'."""
    tree = tree_sitter.Parser(BICEP).parse(text.encode("utf-8"))
    found: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            row, column = node.start_point
            found.append(f"{row + 1}:{column + 1} {text.splitlines()[row][:80]!r}")
        stack.extend(node.children)
    return found


def as_bicep(bicepparam: str) -> str:
    """The grammar has no .bicepparam rule: `param x = v` is read as `var x = v` (same expression grammar)."""
    return re.sub(r"^param ", "var ", bicepparam, flags=re.M)


def test_the_grammar_reports_errors() -> None:
    # Guards the test itself: a broken file must not pass silently.
    assert parse_errors("resource x 'a@b' = {\n  name: 'x\n}\n")
    assert parse_errors("param x string = \n")
    assert not parse_errors("param x string = 'a\\'b${c}'\n")


@pytest.mark.parametrize("name", OUTPUTS)
def test_every_bicep_file_parses(outputs: dict[str, tuple[Path, dict[str, str]]], name: str) -> None:
    _, files = outputs[name]
    bicep = {path: text for path, text in files.items() if path.endswith(".bicep")}
    assert "main.bicep" in bicep and len(bicep) > 3
    assert {path: parse_errors(text) for path, text in bicep.items() if parse_errors(text)} == {}


@pytest.mark.parametrize("name", OUTPUTS)
def test_main_bicepparam_parses(outputs: dict[str, tuple[Path, dict[str, str]]], name: str) -> None:
    _, files = outputs[name]
    text = files["main.bicepparam"]
    assert text.startswith("using './main.bicep'\n")
    assert parse_errors(as_bicep(text)) == []


def test_committed_output_parses() -> None:
    for path in sorted((REPO / "synth_out" / "infra").rglob("*.bicep*")):
        text = path.read_text("utf-8")
        assert parse_errors(as_bicep(text) if path.suffix == ".bicepparam" else text) == [], path


# -- azure.yaml ------------------------------------------------------------------------------------


def azure_yaml_validator() -> jsonschema.Validator:
    """azd's schema from package data; its remote refs (azure.ai.* extensions) as permissive stubs."""
    text = resources.files("momentloop_infra").joinpath("data/azure.yaml.schema.json").read_text("utf-8")
    schema = json.loads(text)
    remote = set(re.findall(r'"\$ref":\s*"(https?://[^"#]+)', text))
    registry: Registry = Registry().with_resources(
        (uri, Resource.from_contents({}, default_specification=DRAFT201909)) for uri in remote
    )
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry)


# SHA-256 of azd's azure.yaml schema (v1.0) as it was copied into the package; nothing outside the
# repository is read, so a changed copy shows here.
AZURE_YAML_SCHEMA_SHA256 = "ff8d40d0d84c4b5ab1a934e61553c8ce985a05da63e63c59f6abcd58ab73b998"


def test_the_schema_copy_is_azds_unchanged() -> None:
    shipped = resources.files("momentloop_infra").joinpath("data/azure.yaml.schema.json").read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == AZURE_YAML_SCHEMA_SHA256
    schema = json.loads(shipped)
    assert schema["$id"].endswith("/schemas/v1.0/azure.yaml.json")
    jsonschema.validators.validator_for(schema).check_schema(schema)


def test_the_schema_rejects_a_service_without_host() -> None:
    errors = list(azure_yaml_validator().iter_errors({"name": "demo", "services": {"api": {"project": "."}}}))
    assert any("host" in e.message for e in errors)


@pytest.mark.parametrize("name", OUTPUTS)
def test_azure_yaml_validates(outputs: dict[str, tuple[Path, dict[str, str]]], name: str) -> None:
    out, _ = outputs[name]
    document = yaml.safe_load((out / "azure.yaml").read_text("utf-8"))
    assert [e.message for e in azure_yaml_validator().iter_errors(document)] == []
    assert document["services"], "every example deploys at least one service"


def test_committed_azure_yaml_validates() -> None:
    document = yaml.safe_load((REPO / "azure.yaml").read_text("utf-8"))
    assert [e.message for e in azure_yaml_validator().iter_errors(document)] == []
