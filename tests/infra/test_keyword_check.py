"""A construct called with a misspelt required keyword is a Problem naming what it lacks and the
keyword meant (instead of Python's TypeError); a TypeError from inside a construct stays one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from momentloop_infra import ContainerApp, ContainerAppsEnvironment, LogAnalytics, Stack, StackError
from momentloop_infra.constructs.blob_store import BlobStore
from momentloop_infra.constructs.keyword_check import checked_init
from tests.infra.test_cli import run


def test_a_misspelt_required_keyword_names_the_one_meant() -> None:
    stack = Stack("demo")
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    kwargs: dict[str, Any] = {"enviroment": env}
    with pytest.raises(StackError) as raised:
        ContainerApp(stack, "api", **kwargs)
    (problem,) = raised.value.problems
    assert (problem.path, problem.field, problem.value) == ("demo/api", "environment", None)
    assert (
        problem.message
        == "ContainerApp needs environment=, which was not given; did you mean environment= where you wrote enviroment=?"
    )


def test_a_required_keyword_left_out_says_so_without_a_guess() -> None:
    stack = Stack("demo")
    with pytest.raises(StackError) as raised:
        ContainerApp(stack, "api")  # type: ignore[call-arg]
    (problem,) = raised.value.problems
    assert problem.message == "ContainerApp needs environment=, which was not given"


def test_a_type_error_from_inside_a_construct_is_not_turned_into_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: object, scope: object, id: str, **settings: object) -> None:
        raise TypeError("a bug of ours, said as it is")

    monkeypatch.setattr(BlobStore, "__init__", checked_init(broken))
    with pytest.raises(TypeError, match="a bug of ours"):
        BlobStore(Stack("demo"), "files")


def test_through_the_cli_the_mistake_is_one_line_with_the_file_and_line(tmp_path: Path) -> None:
    app = tmp_path / "typo.py"
    app.write_text(
        "from momentloop_infra import ContainerApp, ContainerAppsEnvironment, LogAnalytics, Stack\n"
        "stack = Stack('demo')\n"
        "env = ContainerAppsEnvironment(stack, 'env', logs=LogAnalytics(stack, 'logs'))\n"
        "ContainerApp(stack, 'api', enviroment=env)\n"
    )
    result = run("--app", f"{app}:stack", "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "demo/api: environment: ContainerApp needs environment=" in result.stderr
    assert "did you mean environment= where you wrote enviroment=?" in result.stderr
    assert f"({app}, line 4)" in result.stderr
    assert not (tmp_path / "out").exists()
