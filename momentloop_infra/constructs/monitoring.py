"""LogAnalytics: the Log Analytics workspace that receives Container Apps logs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict, Unpack

from momentloop_infra.bicep.expr import ref
from momentloop_infra.build.settings import Settings, setting, settings_class
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.model import names
from momentloop_infra.model.records import BicepFile, Output, Param
from momentloop_infra.model.resources import common_params, resource


@settings_class
class LogAnalyticsSettings(Settings):
    sku: Literal["PerGB2018", "CapacityReservation"] = "PerGB2018"
    retention_days: int = setting(default=30, ge=30, le=730)
    name: str | None = None


class LogAnalyticsArgs(TypedDict, total=False):
    sku: str | None
    retention_days: int | None
    name: str | None


class LogAnalytics(AzureConstruct[LogAnalyticsSettings]):
    settings_model = LogAnalyticsSettings
    settings_args = LogAnalyticsArgs
    module_kind = "monitoring"
    settings_params = 2  # sku, retentionDays
    name_rule = names.LOG_ANALYTICS
    grant_scope = "workspace"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
        **settings: Unpack[LogAnalyticsArgs],
    ) -> None:
        super().__init__(scope, id, settings, profiles)

    def build(self, settings: LogAnalyticsSettings, plan: Plan, synth: Synthesis) -> None:
        sku = synth.param(self, "sku", "string", settings.sku, allowed=("PerGB2018", "CapacityReservation"))
        retention = synth.param(self, "retentionDays", "int", settings.retention_days, min_value=30, max_value=730)
        workspace = self.apply_overrides(
            resource(
                "workspace",
                "Microsoft.OperationalInsights/workspaces",
                {
                    "name": ref("name"),
                    "location": ref("location"),
                    "tags": ref("tags"),
                    "properties": {
                        "retentionInDays": ref("retentionDays"),
                        "sku": {"name": ref("skuName")},
                    },
                },
                path=self.node.path,
            )
        )
        file = BicepFile(
            params=(
                *common_params(),
                Param("skuName", "string", description="Pricing tier of the workspace."),
                Param("retentionDays", "int", description="Days logs are kept."),
            ),
            resources=(workspace,),
            outputs=(
                Output("id", "string", ref("workspace").prop("id")),
                Output("name", "string", ref("workspace").prop("name")),
            ),
        )
        self.emit(
            plan,
            synth,
            file,
            {
                "skuName": sku,
                "retentionDays": retention,
            },
        )
