"""DeployIdentity: the identity the GitHub deploy workflow logs in as (OpenID Connect, no secret),
holding only what `azd provision` and `azd deploy` of this stack need.

What each right is for:
- Contributor on the stack's resource group: every resource the stack deploys there, and the
  group itself (ARM authorizes a PUT of the group against the group's own scope, so re-applying
  its tags needs nothing on the subscription). Contributor cannot assign roles.
- A custom role on the subscription that allows deployments only: main.bicep has targetScope
  'subscription', so `azd provision` creates, validates, reads and polls a deployment under
  /subscriptions/<id>/providers/Microsoft.Resources/deployments, and reads the subscription's
  locations. No resource group can be created or deleted with it (the owner's first `azd up` made
  the group), no provider registered, no resource outside the group touched.
- Role Based Access Control Administrator on the resource group, with a condition: it may create
  or delete assignments only of the roles this stack grants, and only to service principals. The
  role without the condition could hand Owner to anyone.

The identity's own three assignments are made by the owner's first `azd up`. The workflow skips
them (DEPLOY_ASSIGN_OWN_ROLES=false): re-applying them would need exactly the rights the identity
must not have (assigning Contributor or RBAC Administrator, defining roles).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.bicep.functions import call, interpolate
from momentloop_infra.build.naming import env_name, field_env
from momentloop_infra.build.settings import FieldProblem, Settings, setting, settings_class
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.errors import Problem
from momentloop_infra.model import names, roles
from momentloop_infra.model.project import Workflow
from momentloop_infra.model.records import BicepFile, Output, Param, Resource
from momentloop_infra.model.resources import common_params, resource
from momentloop_infra.model.roles import Role

ROLE_ID = "subscriptionResourceId"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
AUDIENCE = "api://AzureADTokenExchange"
REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
BRANCH = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
ENVIRONMENT = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}$")
# What `azd provision` does at subscription scope for a subscription-scoped main.bicep.
SUBSCRIPTION_ACTIONS = (
    "Microsoft.Resources/deployments/read",
    "Microsoft.Resources/deployments/write",
    "Microsoft.Resources/deployments/validate/action",
    "Microsoft.Resources/deployments/operations/read",
    "Microsoft.Resources/deployments/operationstatuses/read",
    "Microsoft.Resources/subscriptions/locations/read",
)


def _repository(value: str | None) -> None:
    if value is not None and (not REPOSITORY.fullmatch(value) or value.split("/")[1] in (".", "..")):
        raise FieldProblem("repository", value, "give the GitHub repository as owner/name, e.g. 'octo-org/shop'")


def _branch(value: str) -> None:
    if not BRANCH.fullmatch(value) or ".." in value or value.endswith((".", ".lock")):
        raise FieldProblem(
            "branch", value, "branch names here are letters, digits, '.', '_', '-' and '/' (e.g. 'main')"
        )


def _environment(value: str | None) -> None:
    if value is not None and not ENVIRONMENT.fullmatch(value):
        raise FieldProblem(
            "environment",
            value,
            "GitHub environment names here are letters, digits, '.', '_' and '-', at most 255 (e.g. 'production')",
        )


@settings_class
class DeployIdentitySettings(Settings):
    # None: only from DEPLOY_REPOSITORY, set before azd up
    repository: str | None = setting(default=None, check=_repository)
    branch: str = setting(default="main", check=_branch)
    environment: str | None = setting(default=None, check=_environment)
    name: str | None = None


class DeployIdentityArgs(TypedDict, total=False):
    repository: str | None
    branch: str | None
    environment: str | None
    name: str | None


def subject(repository: str, settings: DeployIdentitySettings) -> str:
    """The subject of GitHub's token for this workflow: a job in an environment is named by the
    environment (the environment's branch rules then decide which branches may deploy), else by the ref."""
    if settings.environment is not None:
        return f"repo:{repository}:environment:{settings.environment}"
    return f"repo:{repository}:ref:refs/heads/{settings.branch}"


def assignment_condition(role_ids: list[str]) -> str:
    """ABAC condition on RBAC Administrator: assignments written or deleted only of these roles,
    only to service principals; every other action of the role (reads) is left as it is."""
    ids = ", ".join(role_ids)
    assignments = "Microsoft.Authorization/roleAssignments"
    parts = []
    for action, attribute in (("write", "@Request"), ("delete", "@Resource")):
        roles_ok = f"{attribute}[{assignments}:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{ids}}}"
        type_ok = (
            f"{attribute}[{assignments}:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {{'ServicePrincipal'}}"
        )
        parts.append(f"((!(ActionMatches{{'{assignments}/{action}'}})) OR ({roles_ok} AND {type_ok}))")
    return " AND ".join(parts)


class DeployIdentity(AzureConstruct[DeployIdentitySettings]):
    """`DeployIdentity(stack, "deploy", repository="owner/repo", branch="main", environment=None)`.

    The repository becomes a parameter read from DEPLOY_REPOSITORY, with the value given as its
    default. With `repository=None` the default is empty and the federated credential is left out
    until the owner names the repository (`azd env set DEPLOY_REPOSITORY owner/name`, then `azd up`
    or `azd provision`): no guessed repository is ever trusted, and a plain `azd up` needs nothing
    more. A fork deploys without editing the stack; the workflow passes its own
    `github.repository`. Branch and environment are written into the workflow too, so they come
    from the stack."""

    settings_model = DeployIdentitySettings
    settings_args = DeployIdentityArgs
    module_kind = "deploy-identity"
    settings_params = 2  # repository, assignOwnRoles
    name_rule = names.USER_ASSIGNED_IDENTITY
    azd_outputs_rank = 9

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
        **settings: Unpack[DeployIdentityArgs],
    ) -> None:
        super().__init__(scope, id, settings, profiles)

    # -- what the workflow and the README read ---------------------------------------------------

    @property
    def client_id_output(self) -> str:
        """The main.bicep output holding the client id (the workflow's AZURE_CLIENT_ID variable).
        Not named AZURE_CLIENT_ID itself: azd exports outputs into its environment, where the Azure
        SDKs would take AZURE_CLIENT_ID as the identity to use."""
        return f"AZURE_{env_name(self.node.unique_id)}_CLIENT_ID"

    def env_of(self, field: str) -> str:
        """The environment variable main.bicepparam reads a parameter of this construct from."""
        return f"{env_name(self.node.unique_id)}_{field_env(field)}"

    def azd_outputs(self) -> tuple[Output, ...]:
        return (Output(self.client_id_output, "string", self.output("clientId")),)

    def workflow(self, settings: DeployIdentitySettings) -> Workflow:
        return Workflow(
            branch=settings.branch,
            environment=settings.environment,
            env={
                self.env_of("repository"): "${{ github.repository }}",
                self.env_of("assignOwnRoles"): "false",
            },
            identity=self.node.path,
        )

    def check(self, settings: DeployIdentitySettings, plan: Plan) -> list[Problem]:
        others = [c for c in self.node.root.node.walk() if isinstance(c, DeployIdentity)]
        if others[0] is not self:
            return [
                Problem(
                    self.node.path,
                    "",
                    None,
                    f"the stack already has a DeployIdentity ({others[0].node.path}); the workflow logs in as one",
                )
            ]
        return []

    # -- expansion -------------------------------------------------------------------------------

    def build(self, settings: DeployIdentitySettings, plan: Plan, synth: Synthesis) -> None:
        repository = synth.param(
            self,
            "repository",
            "string",
            settings.repository or "",
            description="The GitHub repository (owner/name) whose deploy workflow may log in as this identity; "
            "empty: none may.",
            env=self.env_of("repository"),
        )
        assign_own = synth.param(
            self,
            "assignOwnRoles",
            "bool",
            True,
            description="Make this identity's own role assignments (the owner's azd up); the workflow skips them.",
            env=self.env_of("assignOwnRoles"),
        )
        granted = sorted({grant.role.guid for grant in plan.grants})
        file = self._group_file(settings, granted)
        self.emit(plan, synth, file, {"repository": repository, "assignOwnRoles": assign_own})
        synth.module(
            self,
            f"{self.symbol}Subscription",
            f"{plan.module_stems[self.node.path]}-subscription",
            self._subscription_file(),
            {
                "identityName": self.resource_name(plan).expression(),
                "principalId": self.output("principalId"),
                "assignOwnRoles": assign_own,
            },
            # Deployment names are per subscription, and each remembers its region: one per
            # environment, like the resource names.
            deployment_name=interpolate(f"{plan.module_stems[self.node.path]}-subscription-", ref("resourceToken")),
            scope="subscription()",
        )

    def _group_file(self, settings: DeployIdentitySettings, granted: list[str]) -> BicepFile:
        suffix = (
            f":environment:{settings.environment}"
            if settings.environment is not None
            else f":ref:refs/heads/{settings.branch}"
        )
        identity = self.apply_overrides(
            resource(
                "identity",
                "Microsoft.ManagedIdentity/userAssignedIdentities",
                {"name": ref("name"), "location": ref("location"), "tags": ref("tags")},
                path=self.node.path,
            )
        )
        credential_name = "github-" + re.sub(r"[^A-Za-z0-9_-]", "-", settings.environment or settings.branch)
        credential = resource(
            "githubCredential",
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            {
                "parent": ref("identity"),
                "name": credential_name[:120],
                "properties": {
                    "issuer": GITHUB_ISSUER,
                    "subject": interpolate("repo:", ref("repository"), suffix),
                    "audiences": [AUDIENCE],
                },
            },
            # No repository, no trust: the identity exists, nobody can log in as it.
            condition=Expr("!empty(repository)", frozenset({"repository"})),
            path=self.node.path,
        )
        assignments = [self._own_assignment("contributor", roles.CONTRIBUTOR, "deploys the stack's resources")]
        if granted:
            assignments.append(
                self._own_assignment(
                    "roleAssignments",
                    roles.RBAC_ADMINISTRATOR,
                    "assigns only the roles the stack grants, to service principals only",
                    {"condition": assignment_condition(granted), "conditionVersion": "2.0"},
                )
            )
        return BicepFile(
            params=(
                *common_params(),
                Param("repository", "string", description="The GitHub repository, owner/name; empty: no credential."),
                Param("assignOwnRoles", "bool", description="Make this identity's own role assignments."),
            ),
            resources=(identity, credential, *assignments),
            outputs=(
                Output("id", "string", ref("identity").prop("id")),
                Output("name", "string", ref("identity").prop("name")),
                Output("clientId", "string", ref("identity").prop("properties.clientId")),
                Output("principalId", "string", ref("identity").prop("properties.principalId")),
            ),
        )

    def _own_assignment(self, symbol: str, role: Role, why: str, extra: Mapping[str, object] | None = None) -> Resource:
        """A role assignment of this identity on the resource group the module deploys to."""
        return resource(
            symbol,
            "Microsoft.Authorization/roleAssignments",
            {
                "name": call("guid", Expr("resourceGroup().id"), ref("identity").prop("id"), role.guid),
                "properties": {
                    "principalId": ref("identity").prop("properties.principalId"),
                    "principalType": "ServicePrincipal",
                    "roleDefinitionId": call(ROLE_ID, "Microsoft.Authorization/roleDefinitions", role.guid),
                    "description": f"{role.name} for the deploy workflow: {why}.",
                    **(extra or {}),
                },
            },
            condition=ref("assignOwnRoles"),
            path=self.node.path,
        )

    def _subscription_file(self) -> BicepFile:
        definition = resource(
            "deployments",
            "Microsoft.Authorization/roleDefinitions",
            {
                "name": call("guid", Expr("subscription().id"), ref("identityName"), "azd subscription deployments"),
                "properties": {
                    # Unique in the tenant: the identity's name carries the environment's token.
                    "roleName": interpolate("Subscription deployments of ", ref("identityName")),
                    "description": "Create, validate and read deployments at subscription scope "
                    "(azd provision of a subscription-scoped main.bicep), nothing else.",
                    "type": "CustomRole",
                    "permissions": [{"actions": list(SUBSCRIPTION_ACTIONS), "notActions": []}],
                    "assignableScopes": [Expr("subscription().id")],
                },
            },
            condition=ref("assignOwnRoles"),
            path=self.node.path,
        )
        assignment = resource(
            "deploymentsAssignment",
            "Microsoft.Authorization/roleAssignments",
            {
                "name": call("guid", Expr("subscription().id"), ref("principalId"), ref("deployments").prop("id")),
                "properties": {
                    "principalId": ref("principalId"),
                    "principalType": "ServicePrincipal",
                    "roleDefinitionId": ref("deployments").prop("id"),
                    "description": "Subscription-scope deployments for the deploy workflow (azd provision).",
                },
            },
            condition=ref("assignOwnRoles"),
            path=self.node.path,
        )
        return BicepFile(
            target_scope="subscription",
            params=(
                Param("identityName", "string", description="Name of the deploy identity."),
                Param("principalId", "string", description="Principal id of the deploy identity."),
                Param("assignOwnRoles", "bool", description="Make the assignment (the owner's azd up)."),
            ),
            resources=(definition, assignment),
        )
