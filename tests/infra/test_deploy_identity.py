"""DeployIdentity: the workflow's OpenID Connect identity and its least privilege, asserted on the
generated files of the MomentLoop stack (snapshots in test_momentloop_stack) and of small stacks."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from momentloop_infra import (
    BlobStore,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    DeployIdentity,
    LogAnalytics,
    Stack,
    StackError,
)
from momentloop_infra.constructs.deploy_identity import SUBSCRIPTION_ACTIONS, DeployIdentitySettings, subject
from momentloop_infra.emit.files import WORKFLOW, Layout, render_files
from momentloop_infra.model import roles
from momentloop_infra.model.secrets import looks_secret
from momentloop_infra.pipeline.synthesize import synthesize
from tests.infra.support import REPO, files_of, load_example, project_of

STACK = load_example("momentloop.py")
FILES = files_of(STACK)
PROJECT = project_of(STACK)
GROUP = FILES["modules/deploy-identity.bicep"]
SUBSCRIPTION = FILES["modules/deploy-identity-subscription.bicep"]
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PRIVILEGED = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",  # Owner
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",  # User Access Administrator
    roles.CONTRIBUTOR.guid,
    roles.RBAC_ADMINISTRATOR.guid,
}


def resource_block(text: str, symbol: str) -> str:
    match = re.search(rf"^resource {symbol} .*?^}}$", text, re.M | re.S)
    assert match, f"no resource {symbol}"
    return match.group(0)


def condition_of(text: str) -> str:
    match = re.search(r"^    condition: '(.*)'$", text, re.M)
    assert match
    return match.group(1).replace("\\'", "'")


def small_stack(**deploy: Any) -> tuple[Stack, dict[str, str]]:
    stack = Stack("demo", deploy_workflow=True)
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    app = ContainerApp(stack, "api", environment=env, registry=ContainerRegistry(stack, "registry"))
    app.connect(BlobStore(stack, "files", containers=["uploads"]))
    DeployIdentity(stack, "deploy", **deploy)
    return stack, render_files(synthesize(stack), Layout.of(REPO / "out", None, REPO))


# -- the OpenID Connect trust ----------------------------------------------------------------------


def test_trusts_github_tokens_for_the_production_environment_of_the_configured_repository() -> None:
    credential = resource_block(GROUP, "githubCredential")
    assert "parent: identity" in credential
    assert "issuer: 'https://token.actions.githubusercontent.com'" in credential
    assert "subject: 'repo:${repository}:environment:production'" in credential
    assert re.search(r"audiences: \[\n\s+'api://AzureADTokenExchange'\n\s+\]", credential)
    # MomentLoop names no repository: nothing is guessed, and without one there is no credential.
    assert "param deployRepository = readEnvironmentVariable('DEPLOY_REPOSITORY', '')\n" in FILES["main.bicepparam"]
    assert "    repository: deployRepository\n" in FILES["main.bicep"]
    assert credential.startswith(
        "resource githubCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
        "@2024-11-30' = if (!empty(repository)) {"
    )


def test_the_subject_is_the_one_github_gives_the_generated_workflow_job() -> None:
    """GitHub names a job in an environment by the environment, else by the ref it runs on."""
    job = yaml.safe_load(FILES[WORKFLOW])["jobs"]["deploy"]
    workflow = yaml.safe_load(FILES[WORKFLOW])[True]
    presented = (
        f"repo:${{repository}}:environment:{job['environment']}"
        if "environment" in job
        else f"repo:${{repository}}:ref:refs/heads/{workflow['push']['branches'][0]}"
    )
    assert f"subject: '{presented}'" in GROUP


def test_a_branch_subject_and_a_default_repository_without_an_environment() -> None:
    _, files = small_stack(repository="octo-org/shop", branch="release/2.x")
    group = files["modules/deploy-identity.bicep"]
    assert "subject: 'repo:${repository}:ref:refs/heads/release/2.x'" in group
    # Credential names take letters, digits, '-' and '_' (Azure's type: ^[a-zA-Z0-9][a-zA-Z0-9-_]{2,119}$).
    assert "name: 'github-release-2-x'" in group
    assert "readEnvironmentVariable('DEPLOY_REPOSITORY', 'octo-org/shop')" in files["main.bicepparam"]
    settings = DeployIdentitySettings(repository="octo-org/shop", branch="release/2.x")
    assert subject("octo-org/shop", settings) == "repo:octo-org/shop:ref:refs/heads/release/2.x"
    workflow = yaml.safe_load(files[WORKFLOW])
    assert "environment" not in workflow["jobs"]["deploy"]
    assert workflow[True]["push"]["branches"] == ["release/2.x"]


def test_the_workflow_passes_its_own_repository_and_skips_the_identity_s_own_roles() -> None:
    provision = next(
        s
        for s in yaml.safe_load(FILES[WORKFLOW])["jobs"]["deploy"]["steps"]
        if s.get("run") == "azd provision --no-prompt"
    )
    assert provision["env"]["DEPLOY_REPOSITORY"] == "${{ github.repository }}"
    assert provision["env"]["DEPLOY_ASSIGN_OWN_ROLES"] == "false"
    assert (
        "param deployAssignOwnRoles = bool(readEnvironmentVariable('DEPLOY_ASSIGN_OWN_ROLES', 'true'))"
        in (FILES["main.bicepparam"])
    )


# -- least privilege -------------------------------------------------------------------------------


def test_contributor_and_conditioned_rbac_administrator_on_the_resource_group_only() -> None:
    contributor = resource_block(GROUP, "contributor")
    admin = resource_block(GROUP, "roleAssignments")
    for block, role in ((contributor, roles.CONTRIBUTOR), (admin, roles.RBAC_ADMINISTRATOR)):
        assert block.startswith("resource ") and "= if (assignOwnRoles) {" in block
        assert f"subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role.guid}')" in block
        assert f"name: guid(resourceGroup().id, identity.id, '{role.guid}')" in block
        assert "principalType: 'ServicePrincipal'" in block
        assert "scope:" not in block  # the module's target: the stack's resource group
    assert "condition:" not in contributor
    assert "conditionVersion: '2.0'" in admin
    # No other role anywhere for the deploy identity.
    assert set(GUID.findall(GROUP)) == {roles.CONTRIBUTOR.guid, roles.RBAC_ADMINISTRATOR.guid} | set(
        GUID.findall(condition_of(GROUP))
    )


def test_the_condition_names_only_the_roles_the_stack_grants_and_only_service_principals() -> None:
    condition = condition_of(GROUP)
    granted = {grant.role.guid for grant in PROJECT.grants}
    assert granted == {roles.STORAGE_BLOB_DATA_CONTRIBUTOR.guid, roles.KEY_VAULT_SECRETS_USER.guid, roles.ACR_PULL.guid}
    assert set(GUID.findall(condition)) == granted and not PRIVILEGED & set(GUID.findall(condition))
    for action, attribute in (("write", "@Request"), ("delete", "@Resource")):
        assert f"!(ActionMatches{{'Microsoft.Authorization/roleAssignments/{action}'}})" in condition
        ids = re.search(
            rf"{attribute}\[Microsoft.Authorization/roleAssignments:RoleDefinitionId\] ForAnyOfAnyValues:GuidEquals "
            r"\{([^}]*)\}",
            condition,
        )
        assert ids and set(ids.group(1).split(", ")) == granted
        assert (
            f"{attribute}[Microsoft.Authorization/roleAssignments:PrincipalType] "
            "ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}"
        ) in condition
    assert condition.count("(") == condition.count(")")


def test_a_role_the_stack_starts_granting_joins_the_condition_by_itself() -> None:
    _, files = small_stack(repository="octo-org/shop")
    condition = condition_of(files["modules/deploy-identity.bicep"])
    # api reads the BlobStore (Storage Blob Data Reader) and pulls from the registry (AcrPull).
    assert set(GUID.findall(condition)) == {roles.STORAGE_BLOB_DATA_READER.guid, roles.ACR_PULL.guid}


def test_no_role_assignment_right_at_all_when_the_stack_grants_none() -> None:
    stack = Stack("bare", deploy_workflow=True)
    LogAnalytics(stack, "logs")
    DeployIdentity(stack, "deploy", repository="octo-org/shop")
    group = render_files(synthesize(stack), Layout.of(REPO / "out", None, REPO))["modules/deploy-identity.bicep"]
    assert roles.RBAC_ADMINISTRATOR.guid not in group and "condition" not in group
    assert roles.CONTRIBUTOR.guid in group


def test_on_the_subscription_only_deployments_through_a_custom_role() -> None:
    assert SUBSCRIPTION.startswith("targetScope = 'subscription'\n")
    definition = resource_block(SUBSCRIPTION, "deployments")
    actions = re.findall(r"^          '([^']+)'$", definition, re.M)
    assert tuple(actions) == SUBSCRIPTION_ACTIONS
    assert all(a.startswith("Microsoft.Resources/deployments/") for a in actions[:-1])
    assert actions[-1] == "Microsoft.Resources/subscriptions/locations/read"
    assert "*" not in definition
    assert re.search(r"assignableScopes: \[\n\s+subscription\(\)\.id\n\s+\]", definition)
    assert "type: 'CustomRole'" in definition and "= if (assignOwnRoles) {" in definition
    assignment = resource_block(SUBSCRIPTION, "deploymentsAssignment")
    assert "roleDefinitionId: deployments.id" in assignment and "principalType: 'ServicePrincipal'" in assignment
    assert not GUID.findall(SUBSCRIPTION)  # no built-in role on the subscription
    call = re.search(r"^module deploySubscription .*?^}$", FILES["main.bicep"], re.M | re.S)
    assert call and "  scope: subscription()\n" in call.group(0)
    assert "  name: 'deploy-identity-subscription-${resourceToken}'\n" in call.group(0)


# -- outputs -------------------------------------------------------------------------------------


def test_the_client_id_is_an_output_and_no_output_carries_a_secret() -> None:
    main = FILES["main.bicep"]
    assert "output AZURE_DEPLOY_CLIENT_ID string = deploy.outputs.clientId\n" in main
    secure = set(re.findall(r"@secure\(\)\n(?:@\w+\([^)]*\)\n)*param (\w+) ", main))
    assert secure  # the Key Vault secrets
    for text in (main, GROUP, SUBSCRIPTION):
        for name, value in re.findall(r"^output (\w+) \w+ = (.*)$", text, re.M):
            assert not looks_secret(name) and not set(re.findall(r"\w+", value)) & secure, name
    assert re.findall(r"^output (\w+)", GROUP, re.M) == ["id", "name", "clientId", "principalId"]
    assert "output" not in SUBSCRIPTION


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"repository": "no-slash"}, "demo/deploy: repository = 'no-slash': give the GitHub repository as owner/name"),
        ({"repository": "octo/.."}, "demo/deploy: repository = 'octo/..': give the GitHub repository as owner/name"),
        ({"repository": "o/r", "branch": "a..b"}, "demo/deploy: branch = 'a..b': branch names here are letters"),
        ({"repository": "o/r", "branch": "x y"}, "demo/deploy: branch = 'x y': branch names here are letters"),
        ({"repository": "o/r", "environment": "prod env"}, "demo/deploy: environment = 'prod env': GitHub environment"),
        (
            {"repository": "o/r", "enviroment": "prod"},
            "demo/deploy: enviroment = 'prod': unknown setting; did you mean",
        ),
    ],
)
def test_bad_settings_are_problems_naming_the_field(settings: dict[str, Any], expected: str) -> None:
    with pytest.raises(StackError) as caught:
        small_stack(**settings)
    assert [str(p) for p in caught.value.problems if str(p).startswith(expected)], caught.value.problems


def test_a_second_deploy_identity_is_a_problem() -> None:
    stack, _ = small_stack(repository="octo-org/shop")
    DeployIdentity(stack, "deploy-too", repository="octo-org/shop")
    with pytest.raises(StackError) as caught:
        synthesize(stack)
    assert [str(p) for p in caught.value.problems] == [
        "demo/deploy-too: the stack already has a DeployIdentity (demo/deploy); the workflow logs in as one"
    ]


def test_the_summary_counts_the_identity_s_own_three_assignments() -> None:
    assert len(PROJECT.grants) == 4
    assert PROJECT.role_assignment_count == 4 + 3
