"""The frontend's component tests (Vitest, jsdom, against a loopback HTTP/WebSocket server) and
its TypeScript type check, run as part of the suite."""

from __future__ import annotations

import re

from tests.frontend.node_project import npm, require_node_modules


def test_component_tests_pass() -> None:
    require_node_modules()
    result = npm("test", "--", "--run", "--reporter=dot")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    # A run that collected nothing would also exit 0 with some settings: insist on real tests.
    passed = re.search(r"Tests\s+(\d+) passed", re.sub(r"\x1b\[[0-9;]*m", "", output))
    assert passed and int(passed.group(1)) >= 15, output[-3000:]


def test_typescript_type_check_passes() -> None:
    require_node_modules()
    result = npm("run", "typecheck")
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
