"""The GitHub Actions deploy workflow momentloop-synth writes from the stack: its shape (snapshot in
test_momentloop_stack), what matters in it asserted here, and that it follows the stack."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from momentloop_infra import ContainerApp, ContainerAppsEnvironment, ContainerRegistry, KeyVault, LogAnalytics, Stack
from momentloop_infra.emit.files import WORKFLOW, Layout, render_files
from momentloop_infra.pipeline.synthesize import synthesize
from tests.infra.support import REPO, files_of, load_example

SYNTH = [sys.executable, "-m", "momentloop_infra.cli"]
FILES = files_of(load_example("momentloop.py"))
TEXT = FILES[WORKFLOW]
# PyYAML reads the bare key `on` as the boolean True (YAML 1.1); GitHub reads it as "on".
DOC: dict[Any, Any] = yaml.safe_load(TEXT)
JOB = DOC["jobs"]["deploy"]
STEPS = {step["name"]: step for step in JOB["steps"]}


def secure_params_env() -> list[str]:
    """The environment variable each @secure() parameter of main.bicep is read from, read back
    from the generated files (not from the library's records)."""
    secure = re.findall(r"@secure\(\)\n(?:@\w+\([^)]*\)\n)*param (\w+) string", FILES["main.bicep"])
    env = dict(re.findall(r"^param (\w+) = readEnvironmentVariable\('(\w+)'\)$", FILES["main.bicepparam"], re.M))
    return [env[name] for name in secure]


def step_env(name: str) -> dict[str, str]:
    return dict(STEPS[name].get("env", {}))


def test_the_committed_workflow_is_what_the_stack_generates() -> None:
    assert (REPO / WORKFLOW).read_text("utf-8") == TEXT


def test_runs_on_pushes_to_main_and_on_demand_only() -> None:
    assert DOC[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}


def test_may_only_read_the_code_and_request_an_id_token() -> None:
    assert DOC["permissions"] == {"id-token": "write", "contents": "read"}
    assert "permissions" not in JOB


def test_one_deployment_at_a_time_and_none_cancelled() -> None:
    assert DOC["concurrency"]["cancel-in-progress"] is False
    assert "${{" not in DOC["concurrency"]["group"]


def test_azd_environment_and_identity_come_from_repository_variables() -> None:
    names = ["AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"]
    assert JOB["env"] == {name: f"${{{{ vars.{name} }}}}" for name in names}


def test_logs_in_with_openid_connect_and_no_client_secret_anywhere() -> None:
    login = STEPS["Log in to Azure (OpenID Connect)"]["run"]
    assert login == (
        'azd auth login --client-id "$AZURE_CLIENT_ID" --federated-credential-provider github '
        '--tenant-id "$AZURE_TENANT_ID"'
    )
    for word in ("--client-secret", "--client-certificate", "AZURE_CREDENTIALS", "AZURE_CLIENT_SECRET", "password"):
        assert word not in TEXT


def test_every_secure_parameter_comes_from_a_repository_secret_of_the_same_name() -> None:
    expected = secure_params_env()
    assert expected == ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_AI_API_KEY", "FAL_KEY", "JWT_SECRET"]
    provision = step_env("Provision the infrastructure")
    assert {k: v for k, v in provision.items() if "secrets." in v} == {
        name: f"${{{{ secrets.{name} }}}}" for name in expected
    }
    # Secrets reach the provision step only: not the job, not the deploy step.
    assert TEXT.count("secrets.") == len(expected)


def test_provisions_then_deploys_with_azd_after_checkout_and_install() -> None:
    runs = [step.get("uses") or step["run"] for step in JOB["steps"]]
    assert runs == [
        "actions/checkout@v4",
        "Azure/setup-azd@v2",
        STEPS["Log in to Azure (OpenID Connect)"]["run"],
        "azd provision --no-prompt",
        "azd deploy --no-prompt",
    ]


def _stack_with_secrets(secrets: list[str], *, workflow: bool = True) -> Stack:
    stack = Stack("demo", deploy_workflow=workflow)
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    app = ContainerApp(stack, "api", environment=env, registry=ContainerRegistry(stack, "registry"))
    app.connect(KeyVault(stack, "vault", secrets=secrets))
    return stack


def _workflow_of(stack: Stack, tmp_path: Path) -> str | None:
    return render_files(synthesize(stack), Layout.of(tmp_path / "out", None, tmp_path)).get(WORKFLOW)


def test_a_new_key_vault_secret_appears_in_the_workflow_by_itself(tmp_path: Path) -> None:
    before = _workflow_of(_stack_with_secrets(["api-key"]), tmp_path)
    after = _workflow_of(_stack_with_secrets(["api-key", "webhook-signing-key"]), tmp_path)
    assert before is not None and after is not None
    assert "WEBHOOK_SIGNING_KEY: ${{ secrets.WEBHOOK_SIGNING_KEY }}" in after
    assert "WEBHOOK_SIGNING_KEY" not in before and "API_KEY: ${{ secrets.API_KEY }}" in before


def test_no_workflow_unless_the_stack_asks_for_one(tmp_path: Path) -> None:
    assert _workflow_of(_stack_with_secrets(["api-key"], workflow=False), tmp_path) is None


def test_a_non_boolean_option_is_a_problem_not_a_crash() -> None:
    stack = Stack("demo", deploy_workflow="yes")  # type: ignore[arg-type]
    assert [str(p) for p in stack.node.problems] == ["demo: deploy_workflow = 'yes': is True or False"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SYNTH, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_written_beside_azure_yaml_and_covered_by_check(tmp_path: Path) -> None:
    app = f"{REPO / 'examples/momentloop.py'}:stack"
    out = tmp_path / "out"
    assert _run("--app", app, "--out", str(out), cwd=tmp_path).returncode == 0
    workflow = out / WORKFLOW
    assert workflow.read_text("utf-8") == TEXT
    assert not [p.name for p in workflow.parent.iterdir() if p.name != "deploy.yml"]
    fresh = _run("--app", app, "--out", str(out), "--check", cwd=tmp_path)
    assert fresh.returncode == 0 and "deploy.yml" in fresh.stdout
    workflow.write_text(TEXT.replace("cancel-in-progress: false", "cancel-in-progress: true"))
    stale = _run("--app", app, "--out", str(out), "--check", cwd=tmp_path)
    assert stale.returncode == 1
    assert "--- a/.github/workflows/deploy.yml" in stale.stdout
    assert "-  cancel-in-progress: true\n+  cancel-in-progress: false\n" in stale.stdout
    workflow.unlink()
    missing = _run("--app", app, "--out", str(out), "--check", cwd=tmp_path)
    assert missing.returncode == 1 and "+++ b/.github/workflows/deploy.yml" in missing.stdout


@pytest.mark.parametrize("secrets", [["api-key"], ["api-key", "webhook-signing-key"]])
def test_generated_workflows_pass_actionlint(tmp_path: Path, secrets: list[str]) -> None:
    text = _workflow_of(_stack_with_secrets(secrets), tmp_path)
    assert text is not None
    path = tmp_path / "deploy.yml"
    path.write_text(text)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "actionlint"), str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_workflow_that_cannot_be_written_leaves_the_previous_output_whole(tmp_path: Path) -> None:
    app = f"{REPO / 'examples/momentloop.py'}:stack"
    out = tmp_path / "out"
    assert _run("--app", app, "--out", str(out), cwd=tmp_path).returncode == 0
    (out / WORKFLOW).unlink()
    (out / WORKFLOW).mkdir()  # in the way
    main = out / "infra/main.bicep"
    main.write_text("// previous\n")
    result = _run("--app", app, "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: cannot write the output: ") and "deploy.yml is a folder" in result.stderr
    assert main.read_text() == "// previous\n"
    assert sorted(p.name for p in out.iterdir()) == [".github", "azure.yaml", "infra"]
    assert sorted(p.name for p in (out / ".github/workflows").iterdir()) == ["deploy.yml"]


def test_provision_gets_every_value_main_bicepparam_requires() -> None:
    required = re.findall(r"readEnvironmentVariable\('(\w+)'\)", FILES["main.bicepparam"])
    assert {"AZURE_ENV_NAME", "AZURE_LOCATION", "JWT_SECRET"} <= set(required)
    supplied = set(JOB["env"]) | set(step_env("Provision the infrastructure"))
    assert set(required) <= supplied, set(required) - supplied


def test_without_a_deploy_identity_it_runs_on_main_outside_any_environment(tmp_path: Path) -> None:
    """Logged in as an identity made elsewhere (e.g. `azd pipeline config`, whose credential names
    the branch): a job in an environment would present another subject and fail to log in."""
    text = _workflow_of(_stack_with_secrets(["api-key"]), tmp_path)
    assert text is not None
    doc = yaml.safe_load(text)
    assert doc[True]["push"]["branches"] == ["main"] and "environment" not in doc["jobs"]["deploy"]
    assert "DEPLOY_" not in text and "DeployIdentity" not in text
