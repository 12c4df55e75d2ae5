"""ContainerRegistry: the Azure Container Registry the apps pull their images from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict, Unpack

from momentloop_infra.bicep.expr import ref
from momentloop_infra.build.settings import Settings, settings_class
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.connection import Connectable, Connection, Principal, RoleGrant
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.model import names, roles
from momentloop_infra.model.records import BicepFile, Output, Param, Suppression
from momentloop_infra.model.resources import common_params, resource

BASIC_SKU_REASON = "the SKU is a parameter (Basic by default, for cost); Premium-only features are not available"


@settings_class
class RegistrySettings(Settings):
    sku: Literal["Basic", "Standard", "Premium"] = "Basic"
    name: str | None = None


class RegistryArgs(TypedDict, total=False):
    sku: str | None
    name: str | None


class ContainerRegistry(AzureConstruct[RegistrySettings], Connectable):
    """Connect to give the app AcrPull (implied anyway for the registry an app pulls from)."""

    settings_model = RegistrySettings
    module_kind = "container-registry"
    settings_params = 1  # sku
    name_rule = names.CONTAINER_REGISTRY
    grant_scope = "registry"
    builtin_profiles = {"scale-up": {"sku": "Standard"}}

    settings_args = RegistryArgs

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
        **settings: Unpack[RegistryArgs],
    ) -> None:
        super().__init__(scope, id, settings, profiles)

    azd_outputs_rank = 1

    def connection_from(self, source: Principal, access: str | None, env_name: str | None) -> Connection:
        return Connection(source, self, None, (RoleGrant(roles.ACR_PULL, source, self),))

    def azd_outputs(self) -> tuple[Output, ...]:
        return (
            Output("AZURE_CONTAINER_REGISTRY_ENDPOINT", "string", self.output("loginServer")),
            Output("AZURE_CONTAINER_REGISTRY_NAME", "string", self.output("name")),
        )

    def build(self, settings: RegistrySettings, plan: Plan, synth: Synthesis) -> None:
        sku = synth.param(self, "sku", "string", settings.sku, allowed=("Basic", "Standard", "Premium"))
        registry = self.apply_overrides(
            resource(
                "registry",
                "Microsoft.ContainerRegistry/registries",
                {
                    "name": ref("name"),
                    "location": ref("location"),
                    "tags": ref("tags"),
                    "sku": {"name": ref("skuName")},
                    "properties": {
                        "adminUserEnabled": False,
                        "anonymousPullEnabled": False,
                        "publicNetworkAccess": "Enabled",
                        # AcrPull is ignored in ABAC mode (azure-facts §2): pin the legacy mode explicitly.
                        "roleAssignmentMode": "LegacyRegistryPermissions",
                    },
                },
                suppressions=(
                    Suppression("CKV_AZURE_139", "no virtual network in this design: pulls use managed identities"),
                    Suppression("CKV_AZURE_163", BASIC_SKU_REASON),
                    Suppression("CKV_AZURE_166", BASIC_SKU_REASON),
                ),
                path=self.node.path,
            )
        )
        file = BicepFile(
            params=(*common_params(), Param("skuName", "string", description="Registry SKU.")),
            resources=(registry,),
            outputs=(
                Output("name", "string", ref("registry").prop("name")),
                Output("loginServer", "string", ref("registry").prop("properties.loginServer")),
            ),
        )
        self.emit(
            plan,
            synth,
            file,
            {
                "skuName": sku,
            },
        )
