"""ContainerApp: a container app with its own user-assigned identity, and `connect()`.

The identity is created first, every role is granted to it inside the target's module, and only
then is the app created (with a public placeholder image until azd deploys the real one), so a
first `azd up` on an empty subscription succeeds (design.md, azure-facts §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

import attrs

from momentloop_infra.bicep.expr import Expr, output, ref
from momentloop_infra.build.naming import env_name as env_var_name
from momentloop_infra.build.synthesis import Synthesis
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.attr import Attr, foreign_attrs
from momentloop_infra.constructs.base import AzureConstruct
from momentloop_infra.constructs.connection import Connectable, Connection, EnvVar, Principal, RoleGrant
from momentloop_infra.constructs.container_app.body import AppInputs, app_file
from momentloop_infra.constructs.container_app.connect import default_access, env_clashes, refusal, role_and_env
from momentloop_infra.constructs.container_app.modules import (
    FETCH_IMAGE_STEM,
    IDENTITY_STEM,
    fetch_image_file,
    identity_file,
)
from momentloop_infra.constructs.container_app.settings import ContainerAppArgs, ContainerAppSettings
from momentloop_infra.constructs.environment import ContainerAppsEnvironment
from momentloop_infra.constructs.plan import Plan
from momentloop_infra.constructs.registry import ContainerRegistry
from momentloop_infra.errors import Problem
from momentloop_infra.model import names, roles
from momentloop_infra.model.project import Service


class ContainerApp(AzureConstruct[ContainerAppSettings], Connectable):
    """An app; another app that connects to it gets `<ID>_URL`."""

    settings_model = ContainerAppSettings
    settings_args = ContainerAppArgs
    module_kind = "container-app"
    shares_module = True
    module_calls = 3  # its identity, the image lookup and the app
    settings_params = 5  # exists, cpu, memory, minReplicas, maxReplicas
    name_rule = names.CONTAINER_APP
    builtin_profiles = {"scale-up": {"cpu": "1.0", "memory": "2Gi", "min_replicas": 1, "max_replicas": 10}}

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
        given: dict[str, Any] = dict(settings)
        env = given.get("env")
        # Values read from other resources (`resource.attr(...)`) are main.bicep expressions, not
        # settings: the app's module gets a parameter for each.
        self.env_refs: dict[str, Expr] = {}
        if isinstance(env, Mapping):
            self.env_refs = {k: v for k, v in env.items() if isinstance(v, Expr)}
            given["env"] = {k: v for k, v in env.items() if not isinstance(v, Expr)}
        super().__init__(scope, id, given, profiles)
        self.environment = environment
        self.registry = registry
        self.connections: list[Connection] = []

    # -- as a source ---------------------------------------------------------------------------

    def connect(
        self,
        target: AzureConstruct[Any],
        access: str | None = None,
        *,
        env_name: str | None = None,
        role: str | None = None,
        env: Mapping[str, str | Expr] | None = None,
    ) -> Connection:
        """Declare that this app uses `target`; returns what the target says the connection yields
        (grants, environment variables). `access` is for targets with levels, such as a
        BlobStore's 'read' (its default) and 'read_write'. `role` grants any Azure built-in role
        by its name on the target (a generic Resource needs one); `env` adds environment
        variables, plain strings or `resource.attr(...)` references."""
        problem = refusal(self, target, access)
        if problem is not None or not isinstance(target, Connectable):
            where = getattr(getattr(target, "node", None), "path", target)
            self.node.add_problem("connect", where, problem or "accepts no connections")
            return Connection(self, target, access)
        access = default_access(target, access)
        extra = role_and_env(self, target, role, env)
        if extra is None:
            return Connection(self, target, access)
        if extra.grants:
            for k, existing in enumerate(self.connections):
                if existing.target is target and existing.grants[-1:] == extra.grants:
                    # The same grant again: one connection, with the variables of both.
                    existing = self.connections[k] = _with_env(existing, extra.env)
                    return existing
            connection = target.connection_from(self, access, env_name)
            connection = attrs.evolve(
                connection, grants=(*connection.grants, *extra.grants), env=(*connection.env, *extra.env)
            )
            self.connections.append(connection)
            return connection
        for k, existing in enumerate(self.connections):
            if existing.target is target:
                if existing.access != access:
                    self.node.add_problem(
                        "connect",
                        target.node.path,
                        f"already connected with access={existing.access!r}; "
                        "connect once, with the widest access it needs",
                    )
                existing = self.connections[k] = _with_env(existing, extra.env)
                return existing
        connection = target.connection_from(self, access, env_name)
        if extra.env:
            connection = attrs.evolve(connection, env=(*connection.env, *extra.env))
        self.connections.append(connection)
        return connection

    @property
    def identity_symbol(self) -> str:
        return f"{self.symbol}Identity"

    def identity_output(self, name: str) -> Expr:
        return output(self.identity_symbol, name)

    @property
    def principal_id(self) -> Attr:
        """The principal id of the app's identity, for a resource's properties: a data-plane role
        assignment that is not Azure RBAC (Cosmos DB's sqlRoleAssignments, say). The resource's
        module waits for the identity, not for the app. An Attr, so `+` builds strings with it."""
        found = self.identity_output("principalId")
        return Attr(found.text, found.refs)

    @property
    def env_vars(self) -> list[EnvVar]:
        own = [EnvVar(name, value) for name, value in sorted(self.env_refs.items())]
        return own + [var for connection in self.connections for var in connection.env]

    @property
    def pull_grant(self) -> RoleGrant | None:
        """AcrPull on the registry the app pulls from: implied, never declared."""
        return RoleGrant(roles.ACR_PULL, self, self.registry) if self.registry is not None else None

    # -- as a target -----------------------------------------------------------------------------

    def connection_from(self, source: Principal, access: str | None, env_name: str | None) -> Connection:
        url = EnvVar(env_name or f"{env_var_name(self.node.unique_id)}_URL", self.output("uri"))
        return Connection(source, self, None, (), (url,))

    # -- what the pipeline asks -------------------------------------------------------------------

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
        found += env_clashes(path, {**settings.env, **dict.fromkeys(self.env_refs, "")}, self.connections)
        for name, value in self.env_refs.items():
            found += foreign_attrs(self, f"env.{name}", value)
        for connection in self.connections:
            for var in connection.env:
                if isinstance(var.value, Attr):  # most are the target's own outputs, never foreign
                    found += foreign_attrs(self, f"connect.env.{var.name}", var.value)
        if settings.ingress == "none":
            for connection in plan.connections_to(self):
                found.append(
                    Problem(
                        connection.source.node.path,
                        "connect",
                        path,
                        "has ingress='none', so it has no URL to connect to",
                    )
                )
        return found

    # -- synthesis ---------------------------------------------------------------------------------

    def build(self, settings: ContainerAppSettings, plan: Plan, synth: Synthesis) -> None:
        stem = plan.module_stems[self.node.path]
        # One module file serves every app's identity: they differ only in their parameters.
        synth.module(
            self,
            self.identity_symbol,
            IDENTITY_STEM,
            identity_file(self.node.path),
            {
                "name": plan.names[f"{self.node.path}#identity"].expression(),
                "location": ref("location"),
                "tags": ref("tags"),
            },
            deployment_name=f"identity-{stem.removeprefix('container-app-')}",
        )
        service = self.node.unique_id
        exists = synth.param(
            self,
            "exists",
            "bool",
            False,
            env=f"SERVICE_{env_var_name(service)}_RESOURCE_EXISTS",
            description="Set by azd once the app exists, so re-provisioning keeps the deployed image.",
        )
        image_symbol = f"{self.symbol}Image"
        synth.module(
            self,
            image_symbol,
            FETCH_IMAGE_STEM,
            fetch_image_file(),
            {"exists": exists, "name": self.resource_name(plan).expression()},
            deployment_name=f"{stem}-image",
        )
        inputs = AppInputs(
            environment_id=self.environment.output("id"),
            identity_id=self.identity_output("id"),
            identity_client_id=self.identity_output("clientId"),
            exists=exists,
            existing_image=output(image_symbol, "image"),
            cpu=synth.param(self, "cpu", "string", settings.cpu, description="vCPU per replica."),
            memory=synth.param(
                self, "memory", "string", settings.memory_text, description="Memory per replica, twice the vCPU in Gi."
            ),
            min_replicas=synth.param(self, "minReplicas", "int", settings.min_replicas, min_value=0, max_value=1000),
            max_replicas=synth.param(self, "maxReplicas", "int", settings.max_replicas, min_value=1, max_value=1000),
            registry_server=self.registry.output("loginServer") if self.registry is not None else None,
        )
        file, arguments = app_file(
            service, self.node.path, settings, inputs, self.env_vars, self.apply_overrides, named_service=synth.share
        )
        # Every grant this app holds, and whatever else a target does for it, lives in the target's
        # module: deploy those first.
        needs = [c.target.symbol for c in self.connections if c.deploy_after_target]
        if self.registry is not None:
            needs.append(self.registry.symbol)
        # A target with more grants than one module holds keeps some in access modules: wait on ours.
        for target in [c.target for c in self.connections if c.grants] + [self.registry]:
            if isinstance(target, AzureConstruct) and (holder := target.grant_holder(plan, self)) != target.symbol:
                needs.append(holder)
        self.emit(plan, synth, file, arguments, needs=tuple(needs))
        synth.output(f"SERVICE_{env_var_name(service)}_NAME", "string", self.output("name"))
        if settings.ingress != "none":
            synth.output(f"SERVICE_{env_var_name(service)}_URI", "string", self.output("uri"))


def _with_env(connection: Connection, env: tuple[EnvVar, ...]) -> Connection:
    """`connection` with the variables of `env` it does not set already (the same name and value)."""
    more = tuple(var for var in env if var not in connection.env)
    return attrs.evolve(connection, env=(*connection.env, *more)) if more else connection
