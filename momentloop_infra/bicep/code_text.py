"""Bicep expression text told apart from the literal text of its strings: a read of a module's
output, say, is one only in code (`bus.outputs.name`), never inside a string's text."""

from __future__ import annotations


def code_segments(text: str) -> list[tuple[bool, str]]:
    """`text` cut into code and the literal text of its strings (`'...'`, whose `${...}` holes are
    code again), in order: (is code, piece); joined, the pieces are `text`."""
    pieces: list[tuple[bool, str]] = []
    start, i, depth = 0, 0, [0]  # depth: open braces of each hole, innermost last; [0]: not in one
    in_string = False
    while i < len(text):
        char = text[i]
        if in_string:
            if char == "\\":
                i += 2
                continue
            if char == "'" or text.startswith("${", i):
                pieces.append((False, text[start : i + (1 if char == "'" else 2)]))
                start = i + (1 if char == "'" else 2)
                if char != "'":
                    depth.append(0)
                i, in_string = start, False
                continue
        elif char == "'":
            pieces.append((True, text[start:i]))
            start, in_string = i, True
        elif char == "{":
            depth[-1] += 1
        elif char == "}" and len(depth) > 1 and depth[-1] == 0:  # a hole ends: back in its string
            depth.pop()
            pieces.append((True, text[start:i]))
            start, in_string = i, True
        elif char == "}":
            depth[-1] -= 1
        i += 1
    pieces.append((not in_string, text[start:]))
    return pieces
