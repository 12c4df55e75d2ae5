from __future__ import annotations

import pytest

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.bicep.functions import call, interpolate
from momentloop_infra.bicep.serialize import UnrenderableValue, escape_string_body, render, render_inline


def test_escapes_backslash_quote_interpolation_and_control_characters() -> None:
    assert escape_string_body("a\\b") == "a\\\\b"
    assert escape_string_body("it's") == "it\\'s"
    assert escape_string_body("${x}") == "\\${x}"
    assert escape_string_body("line\nnext\ttab\r") == "line\\nnext\\ttab\\r"
    assert escape_string_body("bell\x07") == "bell\\u{7}"
    assert escape_string_body("café ✓") == "café ✓"


def test_objects_quote_keys_only_when_needed_and_drop_none() -> None:
    text = render({"name": "x", "azd-service-name": "api", "skip": None, "n": 2, "on": True})
    assert text == "{\n  name: 'x'\n  'azd-service-name': 'api'\n  n: 2\n  on: true\n}"


def test_nested_values_indent_two_spaces() -> None:
    text = render({"a": [{"b": []}, {}]}, 1)
    assert text == "{\n    a: [\n      {\n        b: []\n      }\n      {}\n    ]\n  }"


def test_fractions_go_through_json() -> None:
    assert render_inline(0.25) == "json('0.25')"
    assert render_inline(2.0) == "2"


def test_expressions_render_verbatim_and_keep_their_references() -> None:
    uri = interpolate(ref("vaultUri"), "secrets/it's")
    assert uri.text == "'${vaultUri}secrets/it\\'s'"
    assert uri.refs == frozenset({"vaultUri"})
    guid = call("guid", ref("account").prop("id"), "x")
    assert guid.text == "guid(account.id, 'x')"
    assert render({Expr("'${id}'", frozenset({"id"})): {}}) == "{\n  '${id}': {}\n}"


@pytest.mark.parametrize("value", [object(), {1, 2}, float("nan"), b"bytes"])
def test_refuses_what_it_cannot_render_and_names_the_type(value: object) -> None:
    with pytest.raises(UnrenderableValue, match="cannot render"):
        render(value)
