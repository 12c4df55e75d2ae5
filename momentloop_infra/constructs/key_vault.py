"""KeyVault: RBAC-authorized Key Vault holding external API secrets, set from `@secure()` parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, Unpack

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.build.naming import camel
from momentloop_infra.build.naming import env_name as env_var_name
from momentloop_infra.build.settings import Settings, setting, settings_class, unique_names
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.connection import Connectable, Connection, EnvVar, Principal, RoleGrant
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.model import names, roles
from momentloop_infra.model.records import BicepFile, Output, Param, Resource, Suppression
from momentloop_infra.model.resources import common_params, resource

SECRET_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


# Stricter than Key Vault (which also allows uppercase): the name must map cleanly to an
# environment variable (google-client-id -> GOOGLE_CLIENT_ID) and a container app secret name
# (lowercase, hyphens).
_secret_names = unique_names(
    "secrets",
    lambda secret: SECRET_NAME.fullmatch(secret) and len(secret) <= 127,
    "secret names are lowercase letters and digits in words joined by single hyphens "
    "(for example 'jwt-secret'), at most 127 characters",
    "secret",
)


@settings_class
class KeyVaultSettings(Settings):
    secrets: tuple[str, ...] = setting(default=(), check=_secret_names)
    sku: Literal["standard", "premium"] = "standard"
    purge_protection: bool = False
    soft_delete_days: int = setting(default=90, ge=7, le=90)
    name: str | None = None


class KeyVaultArgs(TypedDict, total=False):
    secrets: Sequence[str] | None
    sku: str | None
    purge_protection: bool | None
    soft_delete_days: int | None
    name: str | None


class KeyVault(AzureConstruct[KeyVaultSettings], Connectable):
    """Connect to give the app Key Vault Secrets User, AZURE_KEY_VAULT_URL, and each secret as an
    environment variable (google-client-id -> GOOGLE_CLIENT_ID) through a Key Vault reference."""

    settings_model = KeyVaultSettings
    module_kind = "key-vault"
    settings_params = 2  # sku, purgeProtection
    name_rule = names.KEY_VAULT
    grant_scope = "vault"

    settings_args = KeyVaultArgs

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
        **settings: Unpack[KeyVaultArgs],
    ) -> None:
        super().__init__(scope, id, settings, profiles)

    azd_outputs_rank = 3

    def azd_outputs(self) -> tuple[Output, ...]:
        return (
            Output("AZURE_KEY_VAULT_ENDPOINT", "string", self.output("uri")),
            Output("AZURE_KEY_VAULT_NAME", "string", self.output("name")),
        )

    def connection_from(self, source: Principal, access: str | None, env_name: str | None) -> Connection:
        env = (
            EnvVar(env_name or "AZURE_KEY_VAULT_URL", self.output("uri")),
            *(
                EnvVar(env_var_name(secret), secret=secret, vault=self, vault_uri=self.output("uri"))
                for secret in self.secret_names
            ),
        )
        return Connection(source, self, None, (RoleGrant(roles.KEY_VAULT_SECRETS_USER, source, self),), env)

    @property
    def secret_names(self) -> tuple[str, ...]:
        value = self._given.get("secrets", ())
        return tuple(value) if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value) else ()

    def build(self, settings: KeyVaultSettings, plan: Plan, synth: Synthesis) -> None:
        sku = synth.param(self, "sku", "string", settings.sku, allowed=("standard", "premium"))
        purge = synth.param(self, "purgeProtection", "bool", settings.purge_protection)
        vault = self.apply_overrides(
            resource(
                "vault",
                "Microsoft.KeyVault/vaults",
                {
                    "name": ref("name"),
                    "location": ref("location"),
                    "tags": ref("tags"),
                    "properties": {
                        "tenantId": Expr("tenant().tenantId"),
                        "sku": {"family": "A", "name": ref("skuName")},
                        "enableRbacAuthorization": True,
                        "enableSoftDelete": True,
                        "softDeleteRetentionInDays": settings.soft_delete_days,
                        # The service rejects an explicit false: "off" is an omitted property.
                        "enablePurgeProtection": Expr(
                            "enablePurgeProtection ? true : null", frozenset({"enablePurgeProtection"})
                        ),
                        "publicNetworkAccess": "Enabled",
                        "networkAcls": {"bypass": "AzureServices", "defaultAction": "Allow"},
                    },
                },
                suppressions=(
                    Suppression(
                        "CKV_AZURE_42",
                        "purge protection is the enablePurgeProtection parameter, "
                        "off by default so that `azd down` frees the name",
                    ),
                    Suppression(
                        "CKV_AZURE_110",
                        "purge protection is the enablePurgeProtection parameter, "
                        "off by default so that `azd down` frees the name",
                    ),
                    Suppression(
                        "CKV_AZURE_109",
                        "no virtual network in this design; data-plane access needs Entra ID and RBAC",
                    ),
                    Suppression(
                        "CKV_AZURE_189",
                        "no virtual network in this design; data-plane access needs Entra ID and RBAC",
                    ),
                ),
                path=self.node.path,
            )
        )
        secret_params: list[Param] = []
        secret_resources: list[Resource] = []
        call_secrets: dict[str, object] = {}
        for secret in settings.secrets:
            param = camel(secret)
            secret_params.append(Param(param, "string", secure=True, description=f"Value of the secret '{secret}'."))
            call_secrets[param] = synth.secret_param(self, secret)
            secret_resources.append(
                resource(
                    f"{param}Secret",
                    "Microsoft.KeyVault/vaults/secrets",
                    {
                        "parent": ref("vault"),
                        "name": secret,
                        "properties": {"value": ref(param), "contentType": "text/plain"},
                    },
                    suppressions=(
                        Suppression(
                            "CKV_AZURE_41",
                            "external API keys are rotated by their owners, not on a schedule; no expiry",
                        ),
                    ),
                    path=self.node.path,
                )
            )
        file = BicepFile(
            params=(
                *common_params(),
                Param("skuName", "string", description="Key Vault SKU."),
                Param(
                    "enablePurgeProtection",
                    "bool",
                    description="Purge protection is irreversible; off by default.",
                ),
                *secret_params,
            ),
            resources=(vault, *secret_resources),
            outputs=(
                Output("name", "string", ref("vault").prop("name")),
                Output("uri", "string", ref("vault").prop("properties.vaultUri")),
            ),
        )
        self.emit(
            plan,
            synth,
            file,
            {
                "skuName": sku,
                "enablePurgeProtection": purge,
                **call_secrets,
            },
        )
