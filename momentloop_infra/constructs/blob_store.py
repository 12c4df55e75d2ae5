"""BlobStore: a storage account with private blob containers, reached with managed identities only."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, Unpack

from momentloop_infra.bicep.expr import ref
from momentloop_infra.build.naming import camel
from momentloop_infra.build.settings import Settings, setting, settings_class, unique_names
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.connection import Connectable, Connection, EnvVar, Principal, RoleGrant
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.model import names, roles
from momentloop_infra.model.records import BicepFile, Output, Param, Resource, Suppression
from momentloop_infra.model.resources import common_params, resource

STORAGE_SKUS = ("Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS")
StorageSku = Literal[
    "Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"
]
CONTAINER_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")


_container_names = unique_names(
    "containers",
    CONTAINER_NAME.fullmatch,
    "blob container names are 3 to 63 lowercase letters, digits and single hyphens, starting with a letter or digit",
    "container",
)


# Records are immutable: one of each serves every store (and like stores' files compare at once).
ACCOUNT_SUPPRESSIONS = (
    Suppression(
        "CKV_AZURE_206",
        "replication is the skuName parameter (Standard_LRS by default, for cost); "
        "set it to a geo-redundant SKU in a profile where that matters",
    ),
    Suppression("CKV_AZURE_59", "no virtual network in this design; access needs Entra ID (shared keys are disabled)"),
    Suppression("CKV_AZURE_35", "no virtual network in this design; access needs Entra ID (shared keys are disabled)"),
)
MODULE_PARAMS = (
    Param("skuName", "string", description="Replication of the storage account."),
    Param("accessTier", "string", description="Default access tier of new blobs."),
)
MODULE_OUTPUTS = (
    Output("name", "string", ref("account").prop("name")),
    Output("blobEndpoint", "string", ref("account").prop("properties.primaryEndpoints.blob")),
)


@settings_class
class BlobStoreSettings(Settings):
    containers: tuple[str, ...] = setting(default=(), check=_container_names)
    sku: StorageSku = "Standard_LRS"
    access_tier: Literal["Hot", "Cool", "Cold"] = "Hot"
    soft_delete_days: int = setting(default=7, ge=1, le=365)
    name: str | None = None


class BlobStoreArgs(TypedDict, total=False):
    containers: Sequence[str] | None
    sku: str | None
    access_tier: str | None
    soft_delete_days: int | None
    name: str | None


class BlobStore(AzureConstruct[BlobStoreSettings], Connectable):
    """Connect with access 'read' (the default: Storage Blob Data Reader) or 'read_write'
    (Contributor); the app gets AZURE_STORAGE_ACCOUNT_URL."""

    settings_model = BlobStoreSettings
    module_kind = "storage"
    name_rule = names.STORAGE_ACCOUNT
    grant_scope = "account"
    shares_module = True
    settings_params = 2  # sku, accessTier
    access_levels = ("read", "read_write")
    builtin_profiles = {"scale-up": {"sku": "Standard_GRS"}}

    settings_args = BlobStoreArgs

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
        **settings: Unpack[BlobStoreArgs],
    ) -> None:
        super().__init__(scope, id, settings, profiles)

    def connection_from(self, source: Principal, access: str | None, env_name: str | None) -> Connection:
        role = roles.STORAGE_BLOB_DATA_CONTRIBUTOR if access == "read_write" else roles.STORAGE_BLOB_DATA_READER
        url = EnvVar(env_name or "AZURE_STORAGE_ACCOUNT_URL", self.output("blobEndpoint"))
        return Connection(source, self, access, (RoleGrant(role, source, self),), (url,))

    def build(self, settings: BlobStoreSettings, plan: Plan, synth: Synthesis) -> None:
        sku = synth.param(self, "sku", "string", settings.sku, allowed=STORAGE_SKUS)
        tier = synth.param(self, "accessTier", "string", settings.access_tier, allowed=("Hot", "Cool", "Cold"))
        account = self.apply_overrides(
            resource(
                "account",
                "Microsoft.Storage/storageAccounts",
                {
                    "name": ref("name"),
                    "location": ref("location"),
                    "tags": ref("tags"),
                    "kind": "StorageV2",
                    "sku": {"name": ref("skuName")},
                    "properties": {
                        "accessTier": ref("accessTier"),
                        "allowBlobPublicAccess": False,
                        "allowCrossTenantReplication": False,
                        "allowSharedKeyAccess": False,
                        "defaultToOAuthAuthentication": True,
                        "minimumTlsVersion": "TLS1_2",
                        "supportsHttpsTrafficOnly": True,
                        "publicNetworkAccess": "Enabled",
                        "networkAcls": {"bypass": "AzureServices", "defaultAction": "Allow"},
                    },
                },
                suppressions=ACCOUNT_SUPPRESSIONS,
                path=self.node.path,
            )
        )
        retention = {"enabled": True, "days": settings.soft_delete_days}
        blob_service = resource(
            "blobService",
            "Microsoft.Storage/storageAccounts/blobServices",
            {
                "parent": ref("account"),
                "name": "default",
                "properties": {
                    "deleteRetentionPolicy": retention,
                    "containerDeleteRetentionPolicy": retention,
                },
            },
            path=self.node.path,
        )
        containers: list[Resource] = [
            resource(
                f"{camel(container)}Container",
                "Microsoft.Storage/storageAccounts/blobServices/containers",
                {"parent": ref("blobService"), "name": container, "properties": {"publicAccess": "None"}},
                path=self.node.path,
            )
            for container in settings.containers
        ]
        file = BicepFile(
            params=(*common_params(), *MODULE_PARAMS),
            resources=(account, blob_service, *containers),
            outputs=MODULE_OUTPUTS,
        )
        self.emit(
            plan,
            synth,
            file,
            {
                "skuName": sku,
                "accessTier": tier,
            },
        )
