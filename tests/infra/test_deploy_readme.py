"""The README's "Deploy from GitHub Actions" lines are the ones the stack needs: every repository
variable and secret the generated workflow reads, the output holding the client id, the GitHub
environment and branch the deploy identity trusts."""

from __future__ import annotations

import re

from momentloop_infra import DeployIdentity
from momentloop_infra.emit.files import WORKFLOW
from momentloop_infra.emit.workflow import VARIABLES, workflow_secrets
from tests.infra.support import REPO, files_of, load_example, project_of

STACK = load_example("momentloop.py")
PROJECT = project_of(STACK)
FILES = files_of(STACK)
README = (REPO / "README.md").read_text("utf-8")
SECTION = README.split("### Deploy from GitHub Actions\n", 1)[1].split("\n## ", 1)[0]
IDENTITY = next(c for c in STACK.node.walk() if isinstance(c, DeployIdentity))


def set_lines(kind: str) -> list[tuple[str, str]]:
    """(name, the azd value it is set from) for each `gh <kind> set` line."""
    return re.findall(rf'^gh {kind} set (\w+) --body "\$\(azd env get-value (\w+)\)"$', SECTION, re.M)


def test_one_gh_secret_set_per_workflow_secret_each_from_the_azd_value_of_that_name() -> None:
    secrets = set_lines("secret")
    assert [name for name, _ in secrets] == list(workflow_secrets(PROJECT))
    assert all(name == source for name, source in secrets)
    assert all(f"secrets.{name} " in FILES[WORKFLOW] for name, _ in secrets)


def test_one_gh_variable_set_per_workflow_variable_the_client_id_from_the_identity_s_output() -> None:
    variables = dict(set_lines("variable"))
    assert list(variables) == list(VARIABLES)
    assert variables["AZURE_CLIENT_ID"] == IDENTITY.client_id_output == "AZURE_DEPLOY_CLIENT_ID"
    assert f"output {IDENTITY.client_id_output} string = " in FILES["main.bicep"]
    # The rest are what azd itself keeps in the environment (AZURE_TENANT_ID: a main.bicep output).
    assert {k: v for k, v in variables.items() if k != "AZURE_CLIENT_ID"} == {
        k: k for k in VARIABLES if k != "AZURE_CLIENT_ID"
    }
    assert "output AZURE_TENANT_ID string" in FILES["main.bicep"]


def test_the_environment_branch_and_repository_are_the_ones_the_identity_trusts() -> None:
    workflow = PROJECT.workflow
    assert workflow is not None and workflow.environment == "production" and workflow.branch == "main"
    assert f"environments/{workflow.environment}'" in SECTION
    assert f"environments/{workflow.environment}/deployment-branch-policies' -f name={workflow.branch}\n" in SECTION
    assert f"repo:owner/repo:environment:{workflow.environment}" in SECTION
    env = re.search(r"^azd env set (\w+) owner/repo ", SECTION, re.M)
    assert env and env.group(1) == IDENTITY.env_of("repository")
    assert f"readEnvironmentVariable('{env.group(1)}', '')" in FILES["main.bicepparam"]
    assert f"{IDENTITY.env_of('assignOwnRoles')}=false" in SECTION
