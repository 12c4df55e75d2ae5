"""ContainerAppsEnvironment: the Container Apps environment, its logs sent to a LogAnalytics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.build.settings import Settings, settings_class
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.monitoring import LogAnalytics
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.errors import Problem
from momentloop_infra.model import names
from momentloop_infra.model.records import BicepFile, Output, Param
from momentloop_infra.model.resources import common_params, resource


@settings_class
class EnvironmentSettings(Settings):
    zone_redundant: bool = False
    name: str | None = None


class EnvironmentArgs(TypedDict, total=False):
    zone_redundant: bool | None
    name: str | None


class ContainerAppsEnvironment(AzureConstruct[EnvironmentSettings]):
    settings_model = EnvironmentSettings
    settings_args = EnvironmentArgs
    module_kind = "container-apps-env"
    name_rule = names.MANAGED_ENVIRONMENT

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        logs: LogAnalytics,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
        **settings: Unpack[EnvironmentArgs],
    ) -> None:
        super().__init__(scope, id, settings, profiles)
        self.logs = logs

    azd_outputs_rank = 2

    def azd_outputs(self) -> tuple[Output, ...]:
        return (Output("AZURE_CONTAINER_ENVIRONMENT_NAME", "string", self.output("name")),)

    def check(self, settings: EnvironmentSettings, plan: Plan) -> list[Problem]:
        if not isinstance(self.logs, LogAnalytics):
            return [Problem(self.node.path, "logs", type(self.logs).__name__, "pass a LogAnalytics construct")]
        if self.logs.node.root is not self.node.root:
            return [
                Problem(
                    self.node.path,
                    "logs",
                    self.logs.node.path,
                    "belongs to another stack; use one of this stack",
                )
            ]
        return []

    def build(self, settings: EnvironmentSettings, plan: Plan, synth: Synthesis) -> None:
        workspace = ref("workspace")
        environment = self.apply_overrides(
            resource(
                "environment",
                "Microsoft.App/managedEnvironments",
                {
                    "name": ref("name"),
                    "location": ref("location"),
                    "tags": ref("tags"),
                    "properties": {
                        "appLogsConfiguration": {
                            "destination": "log-analytics",
                            "logAnalyticsConfiguration": {
                                "customerId": workspace.prop("properties.customerId"),
                                # Read here, from an `existing` workspace: a key never crosses a module boundary.
                                "sharedKey": Expr("workspace.listKeys().primarySharedKey", frozenset({"workspace"})),
                            },
                        },
                        "workloadProfiles": [{"name": "Consumption", "workloadProfileType": "Consumption"}],
                        "zoneRedundant": settings.zone_redundant,
                    },
                },
                path=self.node.path,
            )
        )
        file = BicepFile(
            params=(
                *common_params(),
                Param("logAnalyticsWorkspaceName", "string", description="The workspace that receives the logs."),
            ),
            resources=(
                resource(
                    "workspace",
                    "Microsoft.OperationalInsights/workspaces",
                    {"name": ref("logAnalyticsWorkspaceName")},
                    existing=True,
                ),
                environment,
            ),
            outputs=(
                Output("id", "string", ref("environment").prop("id")),
                Output("name", "string", ref("environment").prop("name")),
                Output("defaultDomain", "string", ref("environment").prop("properties.defaultDomain")),
            ),
        )
        self.emit(
            plan,
            synth,
            file,
            {
                "logAnalyticsWorkspaceName": self.logs.output("name"),
            },
        )
