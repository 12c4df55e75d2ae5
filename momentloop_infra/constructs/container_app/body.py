"""The app's own module: its parameters, the environment (plain values, main.bicep expressions,
Key Vault references), ingress, scale rules, probes and the container app resource."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import attrs

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.bicep.functions import call, interpolate
from momentloop_infra.bicep.serialize import render, string_literal
from momentloop_infra.build.naming import camel
from momentloop_infra.constructs.attr import as_text
from momentloop_infra.constructs.connection import EnvVar
from momentloop_infra.constructs.container_app.settings import ContainerAppSettings
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.records import BicepFile, Output, Param, Resource, Variable
from momentloop_infra.model.resources import common_params, resource

PLACEHOLDER_IMAGE = "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest"

# Records are immutable: one of each serves every app (and like apps' files compare at once).
INPUT_PARAMS = (
    Param("environmentId", "string", description="The Container Apps environment."),
    Param("identityId", "string", description="Resource id of the user-assigned identity of the app."),
    Param("identityClientId", "string", description="Client id of that identity, for AZURE_CLIENT_ID."),
    Param("exists", "bool", description="True once the app exists: keep its image."),
    Param("existingImage", "string", description="The image deployed last, when the app exists."),
)
SERVICE_NAME_PARAM = Param("serviceName", "string", description="The app's azd service name and container name.")
REGISTRY_SERVER_PARAM = Param("registryServer", "string", description="Login server of the registry.")
SIZE_PARAMS = (
    Param("cpu", "string", description="vCPU per replica."),
    Param("memory", "string", description="Memory per replica."),
    Param("minReplicas", "int", description="Fewest replicas once the real image runs."),
    Param("maxReplicas", "int", description="Most replicas."),
)
# The same for every app, so like apps' bodies compare by identity where they agree.
IDENTITY_KEY = Expr("'${identityId}'", frozenset({"identityId"}))
# The placeholder listens on port 80, not the app's port: run none of it (design.md).
MIN_REPLICAS = Expr("exists ? minReplicas : 0", frozenset({"exists", "minReplicas"}))
CPU = call("json", ref("cpu"))
NAME_OUTPUT = Output("name", "string", ref("app").prop("name"))
URI_OUTPUT = Output("uri", "string", interpolate("https://", ref("app").prop("properties.configuration.ingress.fqdn")))


@attrs.frozen(repr=False)
class AppInputs(FieldRepr):
    """What main.bicep passes the app's module: each a main.bicep expression."""

    environment_id: Expr
    identity_id: Expr
    identity_client_id: Expr
    exists: Expr
    existing_image: Expr
    cpu: Expr
    memory: Expr
    min_replicas: Expr
    max_replicas: Expr
    registry_server: Expr | None


def app_file(
    service: str,
    path: str,
    settings: ContainerAppSettings,
    inputs: AppInputs,
    connected: Sequence[EnvVar],
    finish: Callable[[Resource], Resource],
    *,
    named_service: bool = False,
) -> tuple[BicepFile, dict[str, object]]:
    """The module file and the arguments main.bicep calls it with; `finish` applies the overrides.
    With `named_service`, the service name and every literal environment value are parameters,
    not written in: apps alike but for those values then write the same module text (one shared
    file, not one per app: each distinct file is written into main.json once more)."""
    params: list[Param] = [*common_params(), *INPUT_PARAMS, *SIZE_PARAMS]
    arguments: dict[str, object] = {
        "environmentId": inputs.environment_id,
        "identityId": inputs.identity_id,
        "identityClientId": inputs.identity_client_id,
        "exists": inputs.exists,
        "existingImage": inputs.existing_image,
        "cpu": inputs.cpu,
        "memory": inputs.memory,
        "minReplicas": inputs.min_replicas,
        "maxReplicas": inputs.max_replicas,
    }
    service_name: object = service
    if named_service:
        params.append(SERVICE_NAME_PARAM)
        arguments["serviceName"] = service
        service_name = ref("serviceName")

    # Every other symbol the file may declare, so that no environment variable's parameter takes
    # one (NAME, CPU, APP, REGISTRY_SERVER, SERVICE_TAGS).
    declared = {"app", "probes", "serviceTags", REGISTRY_SERVER_PARAM.name, SERVICE_NAME_PARAM.name}
    declared |= {f"{var.vault.symbol}Uri" for var in connected if var.vault is not None}

    def passed(name: str, value: object) -> object:
        """A main.bicep expression, or with `named_service` a literal value, as a parameter."""
        if not isinstance(value, Expr) and not named_service:
            return value
        taken = declared | {p.name for p in params}
        base = camel(name.lower())
        param, n = base, 1
        while param in taken:
            n += 1
            param = f"{base}Value" if n == 2 else f"{base}Value{n}"
        params.append(Param(param, "string", description=f"Value of {name}."))
        arguments[param] = as_text(value) if isinstance(value, Expr) else value
        return ref(param)

    env: list[dict[str, object]] = [{"name": "AZURE_CLIENT_ID", "value": ref("identityClientId")}]
    env += [{"name": key, "value": passed(key, value)} for key, value in sorted(settings.env.items())]
    secrets: list[dict[str, object]] = []
    for var in connected:
        if var.secret is not None and var.vault is not None and var.vault_uri is not None:
            # The vault's URI usually arrives already, as AZURE_KEY_VAULT_URL: reuse that parameter.
            vault_param = next((k for k, v in arguments.items() if v == var.vault_uri), f"{var.vault.symbol}Uri")
            if vault_param not in arguments:
                params.append(Param(vault_param, "string", description=f"URI of {var.vault.node.path}."))
                arguments[vault_param] = var.vault_uri
            secrets.append(
                {
                    "name": var.secret,
                    "keyVaultUrl": interpolate(ref(vault_param), f"secrets/{var.secret}"),
                    "identity": ref("identityId"),
                }
            )
            env.append({"name": var.name, "secretRef": var.secret})
        else:
            env.append({"name": var.name, "value": passed(var.name, var.value)})

    configuration: dict[str, object] = {"activeRevisionsMode": "Single"}
    if settings.ingress != "none":
        configuration["ingress"] = {
            "external": settings.ingress == "external",
            "targetPort": settings.port,
            "transport": "auto",
            "allowInsecure": False,
        }
    if inputs.registry_server is not None:
        params.append(REGISTRY_SERVER_PARAM)
        arguments["registryServer"] = inputs.registry_server
        configuration["registries"] = [{"server": ref("registryServer"), "identity": ref("identityId")}]
    if secrets:
        configuration["secrets"] = secrets

    scale: dict[str, object] = {
        "minReplicas": MIN_REPLICAS,
        "maxReplicas": ref("maxReplicas"),
    }
    if settings.ingress != "none":
        scale["rules"] = [
            {
                "name": "http-requests",
                "http": {"metadata": {"concurrentRequests": str(settings.concurrent_requests)}},
            }
        ]
    probes = [
        {"type": kind, "httpGet": {"path": probe, "port": settings.port}, "periodSeconds": 10, "failureThreshold": 3}
        for kind, probe in (("Liveness", settings.health_path), ("Readiness", settings.ready_path))
        if probe is not None
    ]
    app = finish(
        resource(
            "app",
            "Microsoft.App/containerApps",
            {
                "name": ref("name"),
                "location": ref("location"),
                "tags": ref("serviceTags"),
                "identity": {
                    "type": "UserAssigned",
                    "userAssignedIdentities": {IDENTITY_KEY: {}},
                },
                "properties": {
                    "environmentId": ref("environmentId"),
                    "workloadProfileName": "Consumption",
                    "configuration": configuration,
                    "template": {
                        "containers": [
                            {
                                "name": service_name,
                                "image": _image(settings.image or PLACEHOLDER_IMAGE),
                                "resources": {"cpu": CPU, "memory": ref("memory")},
                                "env": env,
                                "probes": ref("probes") if probes else None,
                            }
                        ],
                        "scale": scale,
                    },
                },
            },
            path=path,
        )
    )
    outputs = (NAME_OUTPUT,) if settings.ingress == "none" else (NAME_OUTPUT, URI_OUTPUT)
    variables = [_service_tags(service_name)]
    if probes:
        # The placeholder image listens on port 80, not the app's port: probe only the real image.
        variables.append(Variable("probes", Expr(f"exists ? {render(probes, 0)} : []", frozenset({"exists"}))))
    file = BicepFile(params=tuple(params), variables=tuple(variables), resources=(app,), outputs=outputs)
    return file, arguments


@functools.lru_cache(maxsize=64)  # few images per stack; bounded for a long-lived process
def _image(placeholder: str) -> Expr:
    """The image deployed: the last one once the app exists, else the placeholder."""
    return Expr(
        f"exists && !empty(existingImage) ? existingImage : {string_literal(placeholder)}",
        frozenset({"exists", "existingImage"}),
    )


@functools.lru_cache(maxsize=4096)  # one per service name (one for all when it is a parameter)
def _service_tags(service_name: str | Expr) -> Variable:
    return Variable("serviceTags", call("union", ref("tags"), {"azd-service-name": service_name}))
