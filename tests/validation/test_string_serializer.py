"""The one string serializer escapes any text into a Bicep literal that reads back as that text."""

from __future__ import annotations

import re

import tree_sitter
from hypothesis import example, given, settings
from hypothesis import strategies as st

from momentloop_infra.bicep.serialize import string_literal
from tests.validation.test_syntax import BICEP, parse_errors

_ESCAPE = re.compile(r"\\(u\{([0-9A-Fa-f]+)\}|.)", re.S)
_SIMPLE = {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t", "$": "$"}


def read_back(literal: str) -> str:
    """Bicep's reading of a single-quoted literal without interpolation (its escape table)."""
    assert literal.startswith("'") and literal.endswith("'")
    body = literal[1:-1]
    # Outside escape sequences, a quote would end the literal and `${` open an interpolation. Each
    # escape stands in as one inert character: removed, `$\u{1F}{` would read as a false `${`.
    rest = _ESCAPE.sub("#", body)
    assert "'" not in rest and "${" not in rest, literal

    def one(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            return chr(int(match.group(2), 16))
        assert match.group(1) in _SIMPLE, f"unknown escape \\{match.group(1)}"
        return _SIMPLE[match.group(1)]

    return _ESCAPE.sub(one, body)


def string_node(literal: str) -> tree_sitter.Node:
    tree = tree_sitter.Parser(BICEP).parse(f"var x = {literal}\n".encode())
    declaration = tree.root_node.children[0]
    return declaration.children[-1]


@settings(max_examples=300, deadline=None)
@given(st.text())
@example("it's ${not} an \\ interpolation\n\r\t\x00\x1f é 日本 🎉")
@example("${")
@example("\\${x}")
@example("$\x1f{")
@example("'''")
def test_any_text_round_trips(text: str) -> None:
    literal = string_literal(text)
    assert "\n" not in literal and "\r" not in literal  # one line, always
    assert read_back(literal) == text
    assert parse_errors(f"var x = {literal}\n") == []
    node = string_node(literal)
    assert node.type == "string"
    assert not any(child.type == "interpolation" for child in node.children)
