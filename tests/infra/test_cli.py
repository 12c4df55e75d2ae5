"""momentloop-synth as a user runs it: a real process, exit codes, what it writes and what it never does."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from momentloop_infra.cli import REVIEW_COMMANDS, main
from tests.infra.support import REPO

SYNTH = [sys.executable, "-m", "momentloop_infra.cli"]
BAD_STACK = """
from momentloop_infra import BlobStore, ContainerApp, ContainerAppsEnvironment, ContainerRegistry, LogAnalytics, Stack
stack = Stack("bad")
env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
app = ContainerApp(stack, "api", environment=env, registry=ContainerRegistry(stack, "registry"), cpu=0.3)
app.connect(app)
BlobStore(stack, "store", sku="Premium_LRS")
"""


def run(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SYNTH, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


def test_synthesizes_an_example_and_prints_a_summary(tmp_path: Path) -> None:
    result = run("--app", "examples/small.py:stack", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "synthesized 'small' (profile default)" in result.stdout
    assert "11 files, 11 resources, 2 role assignments" in result.stdout
    assert (tmp_path / "out/infra/main.bicep").is_file() and (tmp_path / "out/azure.yaml").is_file()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


def test_check_passes_on_fresh_output_and_fails_with_a_diff_when_stale(tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    assert run("--app", "examples/small.py:stack", "--out", out).returncode == 0
    fresh = run("--app", "examples/small.py:stack", "--out", out, "--check")
    assert fresh.returncode == 0 and "up to date" in fresh.stdout
    main = tmp_path / "out/infra/main.bicep"
    main.write_text(main.read_text().replace("param location string", "param location string = 'x'"))
    (tmp_path / "out/infra/modules/extra.bicep").write_text("// stray\n")
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    stale = run("--app", "examples/small.py:stack", "--out", out, "--check")
    assert stale.returncode == 1
    assert "-param location string = 'x'\n+param location string\n" in stale.stdout
    assert "--- a/infra/modules/extra.bicep\n+++ /dev/null" in stale.stdout
    assert before == {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}


def _state(folder: Path) -> dict[Path, tuple[int, int, bytes]]:
    """Every path under `folder` with its inode, modification time and bytes (b'' for a folder)."""
    return {
        p: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else b"") for p in folder.rglob("*")
    }


def test_a_run_that_changes_nothing_writes_nothing_and_any_difference_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run("--app", "examples/small.py:stack", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert "nothing written" not in first.stdout
    written = _state(out)
    again = run("--app", "examples/small.py:stack", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "11 files, 11 resources, 2 role assignments (up to date already: nothing written)" in again.stdout
    assert _state(out) == written  # the same files, inodes and times: not even swapped in again
    # Anything that differs gets the whole output written again: line endings, a stray file or folder.
    main = out / "infra/main.bicep"
    main.write_bytes(main.read_bytes().replace(b"\n", b"\r\n"))
    (out / "infra/modules/extra.bicep").write_text("// stray\n")
    (out / "infra/empty").mkdir()
    (out / "azure.yaml").write_text("# edited\n")
    fixed = run("--app", "examples/small.py:stack", "--out", str(out))
    assert fixed.returncode == 0 and "nothing written" not in fixed.stdout
    assert {p: content for p, (_, _, content) in _state(out).items()} == {
        p: content for p, (_, _, content) in written.items()
    }


def test_bad_stack_exits_2_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD_STACK)
    result = run("--app", "bad.py:stack", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for expected in ["bad/api: cpu = 0.3", "bad/api: connect", "bad/store: sku = 'Premium_LRS'"]:
        assert expected in result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_stack_leaves_earlier_output_untouched(tmp_path: Path) -> None:
    shutil.copy(REPO / "examples/small.py", tmp_path / "stack.py")
    assert run("--app", "stack.py:stack", "--out", "out", cwd=tmp_path).returncode == 0
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    (tmp_path / "stack.py").write_text(BAD_STACK)
    assert run("--app", "stack.py:stack", "--out", "out", cwd=tmp_path).returncode == 2
    assert before == {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        ("nowhere.py:stack", "no file nowhere.py"),
        ("examples/small.py:missing", "has no attribute 'missing'"),
        ("examples/small.py:app", "'app' is a ContainerApp, not a Stack"),
        ("no_such_module:stack", "cannot import 'no_such_module'"),
        ("justtext", "expected module:attribute"),
    ],
)
def test_loading_mistakes_exit_2_without_a_traceback(app: str, expected: str) -> None:
    result = run("--app", app, "--check")
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_an_exception_in_the_stack_file_points_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "typo.py").write_text(
        # A positional setting: Python itself refuses the call (a misspelt keyword is a Problem instead).
        "from momentloop_infra import Stack, LogAnalytics\nstack = Stack('x')\nLogAnalytics(stack, 'logs', 30)\n"
    )
    result = run("--app", "typo.py:stack", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "TypeError" in result.stderr and "typo.py, line 3" in result.stderr


def test_unknown_profile_is_refused_by_the_cli() -> None:
    result = run("--profile", "huge", "--check")
    assert result.returncode == 2 and "huge" in result.stderr


def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        assert run("--app", "examples/momentloop.py:stack", "--out", str(out), env=env).returncode == 0
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert outputs[0] == outputs[1] == outputs[2]
    # infra/ (15 files, two of them the deploy identity's modules), azure.yaml, the deploy workflow.
    assert len(outputs[0]) == 17 and ".github/workflows/deploy.yml" in outputs[0]


def test_committed_output_is_current() -> None:
    """The pull-request gate: synth_out/, azure.yaml and the deploy workflow match examples/momentloop.py."""
    result = run("--check")
    assert result.returncode == 0, result.stdout[-3000:]


def modules_after_synthesizing(app: str, out: Path, expression: str) -> str:
    """The last line a fresh process prints of `expression` (over `sys.modules`) after the CLI synthesized `app`."""
    probe = (
        "import sys; from momentloop_infra.cli import main\n"
        f"try:\n    main(['--app', {app!r}, '--out', sys.argv[1]])\n"
        "except SystemExit:\n    pass\n"
        f"print({expression})"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(out)], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_synthesizing_imports_none_of_the_review_commands(tmp_path: Path) -> None:
    # The PR gate's own command starts without the review modules; each loads when it runs.
    found = modules_after_synthesizing(
        "examples/small.py:stack",
        tmp_path / "out",
        "sorted(m for m in sys.modules if m.startswith('momentloop_infra.review'))",
    )
    assert found == "[]"


def test_synthesizing_loads_only_attrs_and_click_of_the_libraries(tmp_path: Path) -> None:
    """pydantic and jinja2 were most of a synth's start-up: the synthesizer imports neither."""
    libraries = "sorted({m.split('.')[0] for m in sys.modules} & {'attrs', 'click', 'jinja2', 'pydantic', 'yaml'})"
    assert (
        modules_after_synthesizing("examples/momentloop.py:stack", tmp_path / "out", libraries) == "['attrs', 'click']"
    )


def test_the_benchmarks_generated_stack_synthesizes_through_the_command(tmp_path: Path) -> None:
    env = {**os.environ, "MOMENTLOOP_BENCH_APPS": "3"}
    result = run("--app", "benchmarks/generated_stack.py:stack", "--out", str(tmp_path / "out"), env=env)
    assert result.returncode == 0, result.stderr
    # Three read-write and three read grants on the stores, and each app's AcrPull on the registry.
    assert "synthesized 'generated'" in result.stdout and "9 role assignments" in result.stdout
    assert (tmp_path / "out" / "infra" / "modules" / "container-app-app-2.bicep").is_file()


def test_every_review_command_is_listed_and_runs_under_its_own_name() -> None:
    listed = run("--help").stdout
    for name in REVIEW_COMMANDS:
        assert f"  {name} " in listed
        command = main.get_command(click.Context(main), name)
        assert command is not None and command.name == name


def test_the_console_command_exits_hard_yet_loses_no_output_and_keeps_its_codes(tmp_path: Path) -> None:
    # `momentloop-synth` is cli.run (through command.py, which imports it with the collector off):
    # main, then os._exit past the interpreter's teardown.
    entry = {e.name: e.value for e in importlib.metadata.entry_points(group="console_scripts")}
    assert entry["momentloop-synth"] == "momentloop_infra.command:run"
    # A long report to a pipe arrives whole (flushed before the exit), with the command's exit code.
    full = run("validate", "--app", "examples/momentloop.py:stack", "--format", "sarif")
    assert full.returncode == 0, full.stderr
    assert json.loads(full.stdout)["runs"][0]["tool"]["driver"]["name"] == "momentloop-synth"
    # A reader that goes away early (`| head -c 10`) ends nothing in a traceback.
    head = subprocess.run(
        f"{shlex.join(SYNTH)} validate --format sarif | head -c 10",
        shell=True,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert len(head.stdout) == 10 and "Traceback" not in head.stderr, head.stderr
    # `sys.exit("message")` somewhere below keeps Python's meaning: the message, exit 1.
    for code, rc, printed in (
        ("'went wrong'", 1, "went wrong"),
        ("['boom']", 1, "['boom']"),
        ("None", 0, ""),
        ("3", 3, ""),
    ):
        probe = f"import sys; from momentloop_infra import cli; cli.main = lambda: sys.exit({code}); cli.run()"
        said = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
        assert (said.returncode, said.stderr.strip()) == (rc, printed), code
