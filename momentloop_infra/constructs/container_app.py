"""ContainerApp: a container app with its own user-assigned identity, and `connect()`.

The identity is created first, every role is granted to it inside the target's module, and only
then is the app created (with a public placeholder image until azd deploys the real one), so a
first `azd up` on an empty subscription succeeds (design.md, azure-facts §3).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, TypedDict, Unpack

from pydantic import Field, field_validator, model_validator

from momentloop_infra.bicep.expr import Expr, output, ref
from momentloop_infra.bicep.functions import call, interpolate
from momentloop_infra.bicep.serialize import render, string_literal
from momentloop_infra.build.naming import camel, env_name
from momentloop_infra.build.settings import FieldProblem, Settings
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.blob_store import BlobStore
from momentloop_infra.constructs.connection import Access, Connection, EnvVar, RoleGrant
from momentloop_infra.constructs.environment import ContainerAppsEnvironment
from momentloop_infra.constructs.key_vault import KeyVault
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.constructs.postgres import PostgresFlexible
from momentloop_infra.constructs.registry import ContainerRegistry
from momentloop_infra.errors import Problem
from momentloop_infra.model import names, roles
from momentloop_infra.model.project import Service
from momentloop_infra.model.records import BicepFile, Output, Param, Variable
from momentloop_infra.model.resources import common_params, resource
from momentloop_infra.model.secrets import looks_secret

PLACEHOLDER_IMAGE = "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Consumption workload profile: CPU in steps of 0.25 up to 4 vCPU, memory twice the CPU in GiB.
CPU_STEPS = tuple(Decimal(k) / 4 for k in range(1, 17))


def _format_gib(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return f"{text}Gi"


class ContainerAppSettings(Settings):
    port: int = Field(8000, ge=1, le=65535)
    cpu: Decimal = Decimal("0.25")
    memory: str = "0.5Gi"
    min_replicas: int = Field(0, ge=0, le=1000)
    max_replicas: int = Field(3, ge=1, le=1000)
    ingress: Literal["external", "internal", "none"] = "external"
    concurrent_requests: int = Field(10, ge=1)
    env: dict[str, str] = Field(default_factory=dict)
    identity: Literal["user_assigned", "system_assigned"] = "user_assigned"
    project: str | None = None
    dockerfile: str = "Dockerfile"
    image: str | None = None
    health_path: str | None = None
    ready_path: str | None = None
    name: str | None = None

    @field_validator("cpu", mode="before")
    @classmethod
    def _cpu(cls, value: object) -> object:
        # 0.25 as written, not the binary fraction a float holds.
        return str(value) if isinstance(value, float) else value

    @field_validator("memory", mode="before")
    @classmethod
    def _memory(cls, value: object) -> object:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return _format_gib(Decimal(str(value)))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ContainerAppSettings:
        if self.cpu not in CPU_STEPS:
            raise FieldProblem("cpu", float(self.cpu), "Container Apps accepts 0.25 to 4 vCPU in steps of 0.25")
        expected = _format_gib(self.cpu * 2)
        match = re.fullmatch(r"(\d+(?:\.\d+)?)Gi", self.memory)
        if not match or Decimal(match.group(1)) != self.cpu * 2:
            raise FieldProblem(
                "memory",
                self.memory,
                f"Container Apps pairs {self.cpu} vCPU with {expected} (memory is twice the CPU, in Gi)",
            )
        for field in ("health_path", "ready_path"):
            value = getattr(self, field)
            if value is not None and not re.fullmatch(r"/[\x21-\x7e]*", value):
                raise FieldProblem(field, value, "probe paths start with '/' and hold no spaces, e.g. '/healthz'")
        if self.min_replicas > self.max_replicas:
            raise FieldProblem(
                "min_replicas",
                self.min_replicas,
                f"is greater than max_replicas={self.max_replicas}; lower it or raise max_replicas",
            )
        for key, val in self.env.items():
            if not ENV_NAME.match(key):
                raise FieldProblem("env", key, "environment variable names are letters, digits and underscores")
            if looks_secret(key):
                raise FieldProblem(
                    "env",
                    key,
                    "looks like a secret passed as a plain environment variable; add it to a KeyVault's "
                    "secrets and connect the app to the vault (it then arrives through a Key Vault reference)",
                )
            if not isinstance(val, str):
                raise FieldProblem("env", key, "values are strings")
        if self.identity == "system_assigned":
            raise FieldProblem(
                "identity",
                self.identity,
                "a system-assigned identity exists only once the app does, so it cannot hold AcrPull or Key Vault "
                "Secrets User before the first pull and the first `azd up` fails; use the default 'user_assigned'",
            )
        return self

    @property
    def memory_text(self) -> str:
        return _format_gib(Decimal(self.memory.removesuffix("Gi")))


class ContainerAppArgs(TypedDict, total=False):
    port: int | None
    cpu: float | str | None
    memory: float | str | None
    min_replicas: int | None
    max_replicas: int | None
    ingress: str | None
    concurrent_requests: int | None
    env: Mapping[str, str] | None
    identity: str | None
    project: str | None
    dockerfile: str | None
    image: str | None
    health_path: str | None
    ready_path: str | None
    name: str | None


class ContainerApp(AzureConstruct[ContainerAppSettings]):
    settings_model = ContainerAppSettings
    settings_args = ContainerAppArgs
    module_kind = "container-app"
    name_rule = names.CONTAINER_APP
    builtin_profiles = {"scale-up": {"cpu": Decimal("1.0"), "memory": "2Gi", "min_replicas": 1, "max_replicas": 10}}

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        environment: ContainerAppsEnvironment,
        registry: ContainerRegistry | None = None,
        profiles: Mapping[str, Mapping[str, Any]] | None = None,
        **settings: Unpack[ContainerAppArgs],
    ) -> None:
        super().__init__(scope, id, settings, profiles)
        self.environment = environment
        self.registry = registry
        self.connections: list[Connection] = []

    # -- connections ---------------------------------------------------------------------------

    def connect(
        self, target: AzureConstruct[Any], access: Access | None = None, *, env_name: str | None = None
    ) -> Connection:
        """Declare that this app uses `target`; returns the grants and variables it derives.

        BlobStore: access 'read' or 'read_write' (default 'read'). KeyVault, PostgresFlexible,
        ContainerRegistry and another ContainerApp take no access argument.
        """
        problem = self._refuse(target, access)
        if problem is not None:
            self.node.add_problem("connect", getattr(getattr(target, "node", None), "path", target), problem)
            return Connection(self, target, access)
        for existing in self.connections:
            if existing.target is target:
                if existing.access == self._access(target, access):
                    return existing
                self.node.add_problem(
                    "connect",
                    target.node.path,
                    f"already connected with access={existing.access!r}; connect once, with the widest access it needs",
                )
                return existing
        connection = self._derive(target, self._access(target, access), env_name)
        self.connections.append(connection)
        return connection

    @property
    def pull_grant(self) -> RoleGrant | None:
        """AcrPull on the registry the app pulls from: implied, never declared."""
        return RoleGrant(roles.ACR_PULL, self, self.registry) if self.registry is not None else None

    def implied_grants(self) -> tuple[RoleGrant, ...]:
        pull = self.pull_grant
        return (pull,) if pull is not None else ()

    @property
    def outgoing(self) -> tuple[Connection, ...]:
        return tuple(self.connections)

    def azd_service(self, settings: ContainerAppSettings) -> Service:
        return Service(self.node.unique_id, self.node.path, settings.project, settings.dockerfile, settings.image)

    def extra_names(self) -> tuple[tuple[str, names.NameRule], ...]:
        return (("#identity", names.USER_ASSIGNED_IDENTITY),)

    def _access(self, target: object, access: Access | None) -> Access | None:
        if isinstance(target, BlobStore):
            return access or "read"
        return access

    def _refuse(self, target: object, access: Access | None) -> str | None:
        if target is self:
            return "an app cannot connect to itself"
        if not isinstance(target, BlobStore | KeyVault | PostgresFlexible | ContainerRegistry | ContainerApp):
            return (
                f"cannot connect to a {type(target).__name__}; connect to a BlobStore, KeyVault, "
                "PostgresFlexible, ContainerRegistry or another ContainerApp"
            )
        if target.node.root is not self.node.root:
            return "belongs to another stack; connect only constructs of the same stack"
        if access is not None and access not in ("read", "read_write"):
            return f"access={access!r} is not one of 'read', 'read_write'"
        if access is not None and not isinstance(target, BlobStore):
            return f"access applies to a BlobStore only; a {type(target).__name__} takes none"
        return None

    def _derive(self, target: AzureConstruct[Any], access: Access | None, env_var: str | None) -> Connection:
        if isinstance(target, BlobStore):
            role = roles.STORAGE_BLOB_DATA_CONTRIBUTOR if access == "read_write" else roles.STORAGE_BLOB_DATA_READER
            env: tuple[EnvVar, ...] = (EnvVar(env_var or "AZURE_STORAGE_ACCOUNT_URL", target.output("blobEndpoint")),)
            return Connection(self, target, access, (RoleGrant(role, self, target),), env)
        if isinstance(target, KeyVault):
            env = (
                EnvVar(env_var or "AZURE_KEY_VAULT_URL", target.output("uri")),
                *(EnvVar(env_name(secret), secret=secret, vault=target) for secret in target.secret_names),
            )
            return Connection(self, target, None, (RoleGrant(roles.KEY_VAULT_SECRETS_USER, self, target),), env)
        if isinstance(target, PostgresFlexible):
            env = (
                EnvVar("POSTGRES_HOST", target.output("fqdn")),
                EnvVar("POSTGRES_DATABASE", target.database_name),
                EnvVar("POSTGRES_USER", self.identity_output("name")),
            )
            return Connection(self, target, None, (), env, database_admin=True)
        if isinstance(target, ContainerRegistry):
            return Connection(self, target, None, (RoleGrant(roles.ACR_PULL, self, target),))
        assert isinstance(target, ContainerApp)
        return Connection(
            self,
            target,
            None,
            (),
            (EnvVar(env_var or f"{env_name(target.node.unique_id)}_URL", target.output("uri")),),
        )

    # -- symbols ---------------------------------------------------------------------------------

    @property
    def identity_symbol(self) -> str:
        return f"{self.symbol}Identity"

    def identity_output(self, name: str) -> Expr:
        return output(self.identity_symbol, name)

    @property
    def env_vars(self) -> list[EnvVar]:
        return [var for connection in self.connections for var in connection.env]

    # -- synthesis ---------------------------------------------------------------------------------

    def check(self, settings: ContainerAppSettings, plan: Plan) -> list[Problem]:
        found: list[Problem] = []
        path = self.node.path
        if not isinstance(self.environment, ContainerAppsEnvironment):
            found.append(
                Problem(path, "environment", type(self.environment).__name__, "pass a ContainerAppsEnvironment")
            )
        elif self.environment.node.root is not self.node.root:
            found.append(Problem(path, "environment", self.environment.node.path, "belongs to another stack"))
        if self.registry is None and settings.image is None:
            found.append(
                Problem(
                    path,
                    "registry",
                    None,
                    "an app needs a ContainerRegistry to pull its image from (or a public image=...)",
                )
            )
        elif self.registry is not None and not isinstance(self.registry, ContainerRegistry):
            found.append(Problem(path, "registry", type(self.registry).__name__, "pass a ContainerRegistry"))
        elif self.registry is not None and self.registry.node.root is not self.node.root:
            found.append(Problem(path, "registry", self.registry.node.path, "belongs to another stack"))
        seen: dict[str, str] = dict.fromkeys(settings.env, "env")
        seen["AZURE_CLIENT_ID"] = "the app's identity"
        for connection in self.connections:
            for var in connection.env:
                if var.name in seen:
                    found.append(
                        Problem(
                            path,
                            "env",
                            var.name,
                            f"set by both {seen[var.name]} and the connection to {connection.target.node.path}; "
                            "pass env_name=... to connect() to rename one",
                        )
                    )
                seen[var.name] = f"the connection to {connection.target.node.path}"
            if (
                isinstance(connection.target, ContainerApp)
                and plan.settings.get(connection.target.node.path) is not None
            ):
                target_settings = plan.settings_of(connection.target)
                if target_settings.ingress == "none":
                    found.append(
                        Problem(
                            path,
                            "connect",
                            connection.target.node.path,
                            "has ingress='none', so it has no URL to connect to",
                        )
                    )
        return found

    def build(self, settings: ContainerAppSettings, plan: Plan, synth: Synthesis) -> None:
        self._build_identity(plan, synth)
        exists = synth.param(
            self,
            "exists",
            "bool",
            False,
            env=f"SERVICE_{env_name(self.node.unique_id)}_RESOURCE_EXISTS",
            description="Set by azd once the app exists, so re-provisioning keeps the deployed image.",
        )
        image_symbol = f"{self.symbol}Image"
        synth.module(
            self,
            image_symbol,
            "fetch-container-image",
            fetch_image_file(),
            {"exists": exists, "name": self.resource_name(plan).expression()},
            deployment_name=f"{plan.module_stems[self.node.path]}-image",
        )
        cpu = synth.param(self, "cpu", "string", settings.cpu, description="vCPU per replica.")
        memory = synth.param(
            self,
            "memory",
            "string",
            settings.memory_text,
            description="Memory per replica, twice the vCPU in Gi.",
        )
        min_replicas = synth.param(self, "minReplicas", "int", settings.min_replicas, min_value=0, max_value=1000)
        max_replicas = synth.param(self, "maxReplicas", "int", settings.max_replicas, min_value=1, max_value=1000)

        params: list[Param] = [
            *common_params(),
            Param("environmentId", "string", description="The Container Apps environment."),
            Param("identityId", "string", description="Resource id of the user-assigned identity of the app."),
            Param("identityClientId", "string", description="Client id of that identity, for AZURE_CLIENT_ID."),
            Param("exists", "bool", description="True once the app exists: keep its image."),
            Param("existingImage", "string", description="The image deployed last, when the app exists."),
            Param("cpu", "string", description="vCPU per replica."),
            Param("memory", "string", description="Memory per replica."),
            Param("minReplicas", "int", description="Fewest replicas once the real image runs."),
            Param("maxReplicas", "int", description="Most replicas."),
        ]
        arguments: dict[str, object] = {
            "environmentId": self.environment.output("id"),
            "identityId": self.identity_output("id"),
            "identityClientId": self.identity_output("clientId"),
            "exists": exists,
            "existingImage": output(image_symbol, "image"),
            "cpu": cpu,
            "memory": memory,
            "minReplicas": min_replicas,
            "maxReplicas": max_replicas,
        }
        env: list[dict[str, object]] = [{"name": "AZURE_CLIENT_ID", "value": ref("identityClientId")}]
        env += [{"name": key, "value": value} for key, value in sorted(settings.env.items())]
        secrets: list[dict[str, object]] = []
        for var in self.env_vars:
            if var.secret is not None and var.vault is not None:
                # The vault's URI usually arrives already, as AZURE_KEY_VAULT_URL: reuse that parameter.
                uri = var.vault.output("uri")
                vault_param = next((k for k, v in arguments.items() if v == uri), f"{var.vault.symbol}Uri")
                if vault_param not in arguments:
                    params.append(Param(vault_param, "string", description=f"URI of {var.vault.node.path}."))
                    arguments[vault_param] = uri
                secrets.append(
                    {
                        "name": var.secret,
                        "keyVaultUrl": interpolate(ref(vault_param), f"secrets/{var.secret}"),
                        "identity": ref("identityId"),
                    }
                )
                env.append({"name": var.name, "secretRef": var.secret})
            elif isinstance(var.value, Expr):
                param = camel(var.name.lower())
                params.append(Param(param, "string", description=f"Value of {var.name}."))
                arguments[param] = var.value
                env.append({"name": var.name, "value": ref(param)})
            else:
                env.append({"name": var.name, "value": var.value})

        configuration: dict[str, object] = {"activeRevisionsMode": "Single"}
        if settings.ingress != "none":
            configuration["ingress"] = {
                "external": settings.ingress == "external",
                "targetPort": settings.port,
                "transport": "auto",
                "allowInsecure": False,
            }
        if self.registry is not None:
            params.append(Param("registryServer", "string", description="Login server of the registry."))
            arguments["registryServer"] = self.registry.output("loginServer")
            configuration["registries"] = [{"server": ref("registryServer"), "identity": ref("identityId")}]
        if secrets:
            configuration["secrets"] = secrets

        scale: dict[str, object] = {
            # The placeholder listens on port 80, not the app's port: run none of it (design.md).
            "minReplicas": Expr("exists ? minReplicas : 0", frozenset({"exists", "minReplicas"})),
            "maxReplicas": ref("maxReplicas"),
        }
        if settings.ingress != "none":
            scale["rules"] = [
                {
                    "name": "http-requests",
                    "http": {"metadata": {"concurrentRequests": str(settings.concurrent_requests)}},
                }
            ]
        placeholder = string_literal(settings.image or PLACEHOLDER_IMAGE)
        probes = [
            {"type": kind, "httpGet": {"path": path, "port": settings.port}, "periodSeconds": 10, "failureThreshold": 3}
            for kind, path in (("Liveness", settings.health_path), ("Readiness", settings.ready_path))
            if path is not None
        ]
        app = self.apply_overrides(
            resource(
                "app",
                "Microsoft.App/containerApps",
                {
                    "name": ref("name"),
                    "location": ref("location"),
                    "tags": ref("serviceTags"),
                    "identity": {
                        "type": "UserAssigned",
                        "userAssignedIdentities": {Expr("'${identityId}'", frozenset({"identityId"})): {}},
                    },
                    "properties": {
                        "environmentId": ref("environmentId"),
                        "workloadProfileName": "Consumption",
                        "configuration": configuration,
                        "template": {
                            "containers": [
                                {
                                    "name": self.node.unique_id,
                                    "image": Expr(
                                        f"exists && !empty(existingImage) ? existingImage : {placeholder}",
                                        frozenset({"exists", "existingImage"}),
                                    ),
                                    "resources": {"cpu": call("json", ref("cpu")), "memory": ref("memory")},
                                    "env": env,
                                    "probes": ref("probes") if probes else None,
                                }
                            ],
                            "scale": scale,
                        },
                    },
                },
                path=self.node.path,
            )
        )
        outputs = [Output("name", "string", ref("app").prop("name"))]
        if settings.ingress != "none":
            outputs.append(
                Output(
                    "uri",
                    "string",
                    interpolate("https://", ref("app").prop("properties.configuration.ingress.fqdn")),
                )
            )
        variables = [Variable("serviceTags", call("union", ref("tags"), {"azd-service-name": self.node.unique_id}))]
        if probes:
            # The placeholder image listens on port 80, not the app's port: probe only the real image.
            variables.append(Variable("probes", Expr(f"exists ? {render(probes, 0)} : []", frozenset({"exists"}))))
        file = BicepFile(
            params=tuple(params),
            variables=tuple(variables),
            resources=(app,),
            outputs=tuple(outputs),
        )
        # Every grant this app holds lives in the target's module: deploy those first.
        needs = [c.target.symbol for c in self.connections if c.grants or c.database_admin]
        if self.registry is not None:
            needs.append(self.registry.symbol)
        self.emit(plan, synth, file, arguments, needs=tuple(needs))
        synth.output(f"SERVICE_{env_name(self.node.unique_id)}_NAME", "string", self.output("name"))
        if settings.ingress != "none":
            synth.output(f"SERVICE_{env_name(self.node.unique_id)}_URI", "string", self.output("uri"))

    def _build_identity(self, plan: Plan, synth: Synthesis) -> None:
        identity = resource(
            "identity",
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            {"name": ref("name"), "location": ref("location"), "tags": ref("tags")},
            path=self.node.path,
        )
        file = BicepFile(
            params=common_params(),
            resources=(identity,),
            outputs=tuple(
                Output(name, "string", ref("identity").prop(prop))
                for name, prop in (
                    ("id", "id"),
                    ("name", "name"),
                    ("clientId", "properties.clientId"),
                    ("principalId", "properties.principalId"),
                )
            ),
        )
        # One module file serves every app's identity: they differ only in their parameters.
        synth.module(
            self,
            self.identity_symbol,
            "user-assigned-identity",
            file,
            {
                "name": plan.names[f"{self.node.path}#identity"].expression(),
                "location": ref("location"),
                "tags": ref("tags"),
            },
            deployment_name=f"identity-{plan.module_stems[self.node.path].removeprefix('container-app-')}",
        )


@functools.cache
def fetch_image_file() -> BicepFile:
    """Reads the image an existing app runs, so re-provisioning does not reset it (azd's pattern)."""
    existing = resource(
        "existingApp",
        "Microsoft.App/containerApps",
        {"name": ref("name")},
        existing=True,
        condition=ref("exists"),
    )
    return BicepFile(
        params=(
            Param("exists", "bool", description="Whether the app exists already."),
            Param("name", "string", description="Name of the container app."),
        ),
        resources=(existing,),
        outputs=(
            Output(
                "image",
                "string",
                Expr(
                    "exists ? existingApp.properties.template.containers[0].image : ''",
                    frozenset({"exists", "existingApp"}),
                ),
            ),
        ),
    )
