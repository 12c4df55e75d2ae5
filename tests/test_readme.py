"""The README tells the truth: its stack is examples/momentloop.py, its commands and variables exist,
its deploy walkthrough names the azd version and every secret the stack needs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from momentloop_infra import Stack

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text("utf-8")
EXAMPLE_MARKER = "<!-- examples/momentloop.py, included whole"


def section(title: str) -> str:
    """The text of the `## title` section, up to the next `## ` heading."""
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.M | re.S)
    assert found, f"the README has no '## {title}' section"
    return found.group(1)


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```\n", text, flags=re.M | re.S)


def included_example() -> str:
    after = README.split(EXAMPLE_MARKER, 1)
    assert len(after) == 2, "the README includes examples/momentloop.py after its marker comment"
    return code_blocks(after[1], "python")[0]


def test_the_stack_example_is_examples_momentloop_py() -> None:
    assert included_example() == (REPO / "examples" / "momentloop.py").read_text("utf-8"), (
        "the README's stack differs from examples/momentloop.py: copy the file into the block after the marker"
    )


def test_no_python_block_synthesizes_on_import() -> None:
    for block in code_blocks(README, "python"):
        assert ".synth(" not in block


def test_the_example_runs_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(included_example(), "README.md", "exec"), namespace)
    assert isinstance(namespace["stack"], Stack)
    assert list(tmp_path.iterdir()) == []


def test_console_scripts_named_in_the_readme_exist() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    named = set(re.findall(r"(?:`|bin/)(momentloop-[a-z]+)\b", README))
    assert named, "the README names the console scripts"
    assert named <= set(scripts), f"named but not installed: {sorted(named - set(scripts))}"


def test_the_first_command_installs_what_the_second_step_uses() -> None:
    first = code_blocks(section("Two commands on a fresh machine"), "sh")
    assert first[0].strip() == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/momentloop-synth"
    assert first[1].strip() == "bash scripts/test.sh"
    assert (REPO / "scripts" / "test.sh").is_file()


def test_run_it_locally_documents_dev_sh() -> None:
    text = section("Run it locally")
    assert "bash scripts/dev.sh" in text and "bash scripts/dev.sh --azure" in text
    header = (REPO / "scripts" / "dev.sh").read_text("utf-8").split("set -euo pipefail", 1)[0]
    own = re.findall(r"^#   ([A-Z_]+)\s", header, flags=re.M)
    assert own, "dev.sh lists its variables in its header"
    documented = set(re.findall(r"`([A-Z_]+)`", text))
    assert set(own) <= documented, f"dev.sh variables missing from the README: {sorted(set(own) - documented)}"
    set_by_script = re.search(r"^# (.*) are set here\.$", header, flags=re.M)
    assert set_by_script
    for name in re.findall(r"[A-Z_]{4,}", set_by_script.group(1)):
        assert f"`{name}`" in text
    for needed in ["DATABASE_URL", "JWT_SECRET", "momentloop-token", ".env"]:
        assert needed in text


def secure_parameter_env_names() -> list[str]:
    """The environment variables main.bicepparam reads for main.bicep's @secure() parameters."""
    bicep = (REPO / "synth_out" / "infra" / "main.bicep").read_text("utf-8")
    secure = re.findall(r"^@secure\(\)\n(?:@.*\n)*param (\w+) ", bicep, flags=re.M)
    params = (REPO / "synth_out" / "infra" / "main.bicepparam").read_text("utf-8")
    names = dict(re.findall(r"^param (\w+) = .*?readEnvironmentVariable\('(\w+)'", params, flags=re.M))
    return [names[parameter] for parameter in secure]


def test_deploy_to_azure_names_every_secret_and_the_azd_version() -> None:
    # The walkthrough itself; its "### Deploy from GitHub Actions" subsection has lines of its own.
    text = section("Deploy to Azure").split("\n### ", 1)[0]
    required = yaml.safe_load((REPO / "azure.yaml").read_text("utf-8"))["requiredVersions"]["azd"]
    assert f"`azd` **{required}**" in text
    secrets = secure_parameter_env_names()
    assert len(secrets) == 5
    assert re.findall(r"^azd env set (\w+) ", text, flags=re.M) == secrets
    steps = ["azd auth login", "azd env new", "azd env set", "azd up", "azd down --purge"]
    positions = [text.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), dict(zip(steps, positions, strict=True))
    assert "~$35-40" in text


def github_slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_to_sections_resolve() -> None:
    slugs = {github_slug(h) for h in re.findall(r"^#+ (.*)$", README, flags=re.M)}
    for anchor in re.findall(r"\]\(#([^)]+)\)", README):
        assert anchor in slugs, anchor


def test_local_paths_in_backticks_exist() -> None:
    for path in sorted(set(re.findall(r"`((?:scripts|examples|tests|synth_out|benchmarks)/[\w./-]+)`", README))):
        if "{" in path or path.endswith("/"):
            continue
        assert (REPO / path).exists(), path
