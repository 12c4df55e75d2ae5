"""PostgresFlexible: PostgreSQL Flexible Server with Entra-only authentication and one database.

Every child (database, firewall rule, administrators) deploys one at a time in a fixed chain:
the server accepts one operation at a time and answers `ServerIsBusy` otherwise (azure-facts §4).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any, Literal, TypedDict, Unpack

import attrs

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.build.settings import FieldProblem, Settings, setting, settings_class
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.connection import Connectable, Connection, EnvVar, Principal
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.model import names
from momentloop_infra.model.arm_limits import MAX_PARAMS
from momentloop_infra.model.records import BicepFile, Output, Param, Resource
from momentloop_infra.model.resources import common_params, resource

Tier = Literal["Burstable", "GeneralPurpose", "MemoryOptimized"]
STORAGE_SIZES_GB = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
# The letter after 'Standard_' gives the tier: B-series Burstable, D General Purpose, E Memory Optimized.
SKU_PATTERN = re.compile(r"^Standard_([BDE])\d+[a-z]*(_v\d)?$")
TIER_OF_SERIES: dict[str, Tier] = {"B": "Burstable", "D": "GeneralPurpose", "E": "MemoryOptimized"}
DATABASE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _sku(value: str) -> None:
    if not SKU_PATTERN.fullmatch(value):
        raise FieldProblem(
            "sku",
            value,
            "expected a Flexible Server compute size such as 'Standard_B1ms' (Burstable), "
            "'Standard_D2ds_v5' (GeneralPurpose) or 'Standard_E2ds_v5' (MemoryOptimized)",
        )


def _storage(value: int) -> None:
    if value not in STORAGE_SIZES_GB:
        allowed = ", ".join(str(s) for s in STORAGE_SIZES_GB)
        raise FieldProblem("storage_gb", value, f"PostgreSQL Flexible Server offers {allowed} GB")


def _database(value: str) -> None:
    if not DATABASE_NAME.fullmatch(value):
        raise FieldProblem("database", value, "database names are letters, digits and underscores, at most 63")


@settings_class
class PostgresSettings(Settings):
    database: str = setting(default="app", check=_database)
    version: Literal["13", "14", "15", "16", "17", "18"] = "16"
    sku: str = setting(default="Standard_B1ms", check=_sku)
    tier: Tier | None = None  # derived from the SKU when not given
    storage_gb: int = setting(default=32, check=_storage)
    high_availability: Literal["Disabled", "SameZone", "ZoneRedundant"] = "Disabled"
    backup_retention_days: int = setting(default=7, ge=7, le=35)
    geo_redundant_backup: bool = False
    name: str | None = None

    def consistent(self) -> None:
        series_tier = self.resolved_tier
        if self.tier is not None and self.tier != series_tier:
            raise FieldProblem(
                "tier",
                self.tier,
                f"SKU {self.sku!r} is in tier {series_tier!r}; set tier={series_tier!r} or leave it out",
            )
        if self.high_availability != "Disabled" and series_tier == "Burstable":
            raise FieldProblem(
                "high_availability",
                self.high_availability,
                f"HA needs tier GeneralPurpose or MemoryOptimized; SKU {self.sku!r} is Burstable. "
                "Choose a D- or E-series SKU (e.g. 'Standard_D2s_v3') or set high_availability='Disabled'",
            )

    @property
    def resolved_tier(self) -> Tier:
        match = SKU_PATTERN.fullmatch(self.sku)
        assert match is not None  # checked by the validator
        return TIER_OF_SERIES[match.group(1)]


class PostgresArgs(TypedDict, total=False):
    database: str | None
    version: str | None
    sku: str | None
    tier: str | None
    storage_gb: int | None
    high_availability: str | None
    backup_retention_days: int | None
    geo_redundant_backup: bool | None
    name: str | None


class PostgresFlexible(AzureConstruct[PostgresSettings], Connectable):
    """Connect to make the app's identity an Entra administrator of the server; the app gets
    POSTGRES_HOST, POSTGRES_DATABASE and POSTGRES_USER (its identity's name)."""

    settings_model = PostgresSettings
    module_kind = "postgresql"
    settings_params = 5  # sku, tier, storageGb, highAvailability, version
    name_rule = names.POSTGRES_SERVER
    builtin_profiles = {"scale-up": {"sku": "Standard_D2s_v3", "high_availability": "ZoneRedundant"}}

    settings_args = PostgresArgs

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
        **settings: Unpack[PostgresArgs],
    ) -> None:
        super().__init__(scope, id, settings, profiles)

    @property
    def database_name(self) -> str:
        value = self._given.get("database", "app")
        return value if isinstance(value, str) else "app"

    def connection_from(self, source: Principal, access: str | None, env_name: str | None) -> Connection:
        env = (
            EnvVar("POSTGRES_HOST", self.output("fqdn")),
            EnvVar("POSTGRES_DATABASE", self.database_name),
            EnvVar("POSTGRES_USER", source.identity_output("name")),
        )
        return Connection(source, self, None, (), env, in_target=("Entra administrator",))

    def build(self, settings: PostgresSettings, plan: Plan, synth: Synthesis) -> None:
        sku = synth.param(self, "sku", "string", settings.sku)
        tier = synth.param(self, "tier", "string", settings.resolved_tier, allowed=TIER_OF_SERIES_VALUES)
        storage = synth.param(self, "storageGb", "int", settings.storage_gb, min_value=32, max_value=32768)
        ha = synth.param(self, "highAvailability", "string", settings.high_availability, allowed=HA_VALUES)
        version = synth.param(self, "version", "string", settings.version)
        tenant = Expr("tenant().tenantId")
        server = self.apply_overrides(
            resource(
                "server",
                "Microsoft.DBforPostgreSQL/flexibleServers",
                {
                    "name": ref("name"),
                    "location": ref("location"),
                    "tags": ref("tags"),
                    "sku": {"name": ref("skuName"), "tier": ref("skuTier")},
                    "properties": {
                        "version": ref("version"),
                        "storage": {"storageSizeGB": ref("storageSizeGB"), "autoGrow": "Enabled"},
                        "backup": {
                            "backupRetentionDays": settings.backup_retention_days,
                            "geoRedundantBackup": "Enabled" if settings.geo_redundant_backup else "Disabled",
                        },
                        "highAvailability": {"mode": ref("highAvailabilityMode")},
                        "authConfig": {
                            "activeDirectoryAuth": "Enabled",
                            "passwordAuth": "Disabled",
                            "tenantId": tenant,
                        },
                        "network": {"publicNetworkAccess": "Enabled"},
                    },
                },
                path=self.node.path,
            )
        )
        chain: list[Resource] = [
            resource(
                "database",
                "Microsoft.DBforPostgreSQL/flexibleServers/databases",
                {
                    "parent": ref("server"),
                    "name": settings.database,
                    "properties": {"charset": "UTF8", "collation": "en_US.utf8"},
                },
                path=self.node.path,
            ),
            resource(
                "allowAzureServices",
                "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules",
                {
                    "parent": ref("server"),
                    # 0.0.0.0-0.0.0.0 is Azure's "allow Azure services" rule: no VNet in this design.
                    "name": "AllowAllAzureServicesAndResourcesWithinAzureIps",
                    "properties": {"startIpAddress": "0.0.0.0", "endIpAddress": "0.0.0.0"},
                },
                path=self.node.path,
            ),
        ]
        admin_params: list[Param] = []
        call_admins: dict[str, object] = {}
        connections = plan.connections_to(self)
        # Two parameters per app while they fit in ARM's 256 beside the server's own; past that,
        # one object of every app's id and name.
        together = len(_SERVER_PARAMS) + 2 * len(connections) > MAX_PARAMS
        if together:
            admin_params.append(ADMINISTRATORS)
            call_admins[ADMINISTRATORS.name] = {
                c.source.symbol: {
                    "id": c.source.identity_output("principalId"),
                    "name": c.source.identity_output("name"),
                }
                for c in connections
            }
        for connection in connections:
            app = connection.source
            principal_id, principal_name = f"{app.symbol}PrincipalId", f"{app.symbol}PrincipalName"
            if together:
                admin_id: Expr = ref(ADMINISTRATORS.name).prop(f"{app.symbol}.id")
                admin_name: Expr = ref(ADMINISTRATORS.name).prop(f"{app.symbol}.name")
            else:
                admin_id, admin_name = ref(principal_id), ref(principal_name)
                admin_params += [
                    Param(principal_id, "string", description=f"Object id of the identity of {app.node.path}."),
                    Param(principal_name, "string", description=f"Name of the identity of {app.node.path}."),
                ]
                call_admins[principal_id] = app.identity_output("principalId")
                call_admins[principal_name] = app.identity_output("name")
            chain.append(
                resource(
                    f"{app.symbol}Administrator",
                    "Microsoft.DBforPostgreSQL/flexibleServers/administrators",
                    {
                        "parent": ref("server"),
                        "name": admin_id,
                        "properties": {
                            "principalName": admin_name,
                            "principalType": "ServicePrincipal",
                            "tenantId": tenant,
                        },
                    },
                    path=self.node.path,
                )
            )
        # One child at a time: each waits for the one before it.
        chain = [chain[0]] + [_after(child, previous.symbol) for previous, child in itertools.pairwise(chain)]
        file = BicepFile(
            params=(*_SERVER_PARAMS, *admin_params),
            resources=(server, *chain),
            outputs=(
                Output("name", "string", ref("server").prop("name")),
                Output("fqdn", "string", ref("server").prop("properties.fullyQualifiedDomainName")),
                Output("databaseName", "string", ref("database").prop("name")),
            ),
        )
        self.emit(
            plan,
            synth,
            file,
            {
                "skuName": sku,
                "skuTier": tier,
                "storageSizeGB": storage,
                "highAvailabilityMode": ha,
                "version": version,
                **call_admins,
            },
        )


_SERVER_PARAMS = (
    *common_params(),
    Param("skuName", "string", description="Compute size."),
    Param("skuTier", "string", description="Tier matching the compute size."),
    Param("storageSizeGB", "int", description="Storage size in GB."),
    Param("highAvailabilityMode", "string", description="HA needs a non-Burstable tier."),
    Param("version", "string", description="PostgreSQL major version."),
)
ADMINISTRATORS = Param("administrators", "object", description="Object id and name of each connected app's identity.")
TIER_OF_SERIES_VALUES = ("Burstable", "GeneralPurpose", "MemoryOptimized")
HA_VALUES = ("Disabled", "SameZone", "ZoneRedundant")


def _after(child: Resource, previous: str) -> Resource:
    return attrs.evolve(child, depends_on=(*child.depends_on, previous))
