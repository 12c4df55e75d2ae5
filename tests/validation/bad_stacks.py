"""Invalid stacks, built on demand by name so `--app tests.validation.bad_stacks:NAME` loads one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from momentloop_infra import ContainerApp, ContainerAppsEnvironment, ContainerRegistry, LogAnalytics, Stack
from tests.infra.builders import Base, base


def _with(build: Callable[[Base], Any]) -> Callable[[], Stack]:
    def make() -> Stack:
        b = base()
        build(b)
        return b.stack

    return make


def _other_stack_connection() -> Stack:
    b, other = base(), base("other")
    b.app("api").connect(other.store())
    return b.stack


def _other_stack_environment() -> Stack:
    b = base()
    other = Stack("other")
    env = ContainerAppsEnvironment(other, "env", logs=LogAnalytics(other, "logs"))
    ContainerApp(b.stack, "api", environment=env, registry=b.registry)
    return b.stack


def _conflicting_access() -> Stack:
    b = base()
    store = b.store()
    app = b.app("api")
    app.connect(store, access="read")
    app.connect(store, access="read_write")
    return b.stack


def _app_without_registry() -> Stack:
    b = base()
    ContainerApp(b.stack, "api", environment=b.env)
    return b.stack


def _duplicate_ids() -> Stack:
    b = base()
    b.store("files")
    b.store("files")
    return b.stack


def _many_problems() -> Stack:
    b = base()
    b.store(sku="Gold_LRS")
    b.db(sku="Standard_B1ms", high_availability="ZoneRedundant")
    b.app("api", cpu=0.3)
    return b.stack


CASES: dict[str, Callable[[], Stack]] = {
    "empty": lambda: Stack("empty"),
    "bad_stack_name": lambda: Stack("Bad_Name"),
    "unknown_storage_sku": _with(lambda b: b.store(sku="Premium_XYZ")),
    "wrong_type_soft_delete": _with(lambda b: b.store(soft_delete_days="a week")),
    "soft_delete_out_of_range": _with(lambda b: b.store(soft_delete_days=400)),
    "bad_container_name": _with(lambda b: b.store(containers=["Bad_Name"])),
    "duplicate_containers": _with(lambda b: b.store(containers=["a1b", "a1b"])),
    "unknown_access_tier": _with(lambda b: b.store(access_tier="Freezing")),
    "storage_name_illegal": _with(lambda b: b.store(name="my-store!")),
    "storage_name_too_long": _with(lambda b: b.store(name="st" + "a" * 30)),
    "app_id_too_long_is_shortened_but_explicit_name_is_not": _with(lambda b: b.app("api", name="ca-" + "x" * 40)),
    "unknown_registry_sku": lambda: ContainerRegistry(Stack("demo"), "registry", sku="Gold").node.root,
    "unknown_pg_sku": _with(lambda b: b.db(sku="Large")),
    "ha_on_burstable": _with(lambda b: b.db(high_availability="ZoneRedundant")),
    "tier_mismatch": _with(lambda b: b.db(sku="Standard_D2s_v3", tier="Burstable")),
    "pg_storage_size": _with(lambda b: b.db(storage_gb=50)),
    "pg_version": _with(lambda b: b.db(version="9")),
    "pg_backup_retention": _with(lambda b: b.db(backup_retention_days=2)),
    "cpu_not_a_step": _with(lambda b: b.app("api", cpu=0.3)),
    "cpu_memory_pair": _with(lambda b: b.app("api", cpu=0.5, memory="2Gi")),
    "port_out_of_range": _with(lambda b: b.app("api", port=70000)),
    "min_above_max_replicas": _with(lambda b: b.app("api", min_replicas=5, max_replicas=2)),
    "unknown_ingress": _with(lambda b: b.app("api", ingress="public")),
    "secret_as_plain_env": _with(lambda b: b.app("api", env={"DB_PASSWORD": "hunter2"})),
    "bad_env_name": _with(lambda b: b.app("api", env={"1BAD": "x"})),
    "system_identity": _with(lambda b: b.app("api", identity="system_assigned")),
    "unknown_setting": _with(lambda b: b.app("api", profiles={"default": {"gpu": 1}})),
    "unknown_profile": _with(lambda b: b.app("api", profiles={"huge": {"cpu": 4}})),
    "bad_id": _with(lambda b: b.app("Api_1")),
    "duplicate_ids": _duplicate_ids,
    "connection_to_other_stack": _other_stack_connection,
    "environment_of_other_stack": _other_stack_environment,
    "conflicting_connections": _conflicting_access,
    "connect_to_itself": _with(lambda b: b.app("api").connect(b.stack.node.children["api"])),  # type: ignore[arg-type]
    "access_on_vault": _with(lambda b: b.app("api").connect(b.vault(), access="read")),
    "connect_to_ingress_none": _with(lambda b: b.app("web").connect(b.app("worker", ingress="none"))),
    "app_without_registry": _app_without_registry,
    "bad_secret_name": _with(lambda b: b.vault(secrets=["Bad Secret"])),
    "kv_soft_delete_days": _with(lambda b: b.vault(soft_delete_days=3)),
    "override_unknown_property": _with(lambda b: b.store().override("properties.publicBlobs", True)),
    "override_wrong_kind": _with(lambda b: b.store().override("properties.minimumTlsVersion", 12)),
    "override_closed_set": _with(lambda b: b.store().override("properties.accessTier", "Frozen")),
    "override_open_set_still_checked_by_rules": _with(
        lambda b: b.store().override("properties.minimumTlsVersion", "TLS1_0")
    ),
    "override_read_only": _with(lambda b: b.store().override("properties.provisioningState", "Succeeded")),
    "override_integer_range": _with(
        lambda b: b.app("api").override("properties.configuration.dapr", {"appHealth": {"probeIntervalSeconds": 0}})
    ),
    "override_insecure": _with(lambda b: b.store().override("properties.allowSharedKeyAccess", True)),
    "override_admin_user": _with(lambda b: b.registry.override("properties.adminUserEnabled", True)),
    "override_password_auth": _with(lambda b: b.db().override("properties.authConfig.passwordAuth", "Enabled")),
    "override_insecure_ingress": _with(
        lambda b: b.app("api").override("properties.configuration.ingress.allowInsecure", True)
    ),
    "suppress_unknown_rule": _with(lambda b: b.store().suppress("ML999", "because we can, really")),
    "suppress_without_reason": _with(lambda b: b.store().suppress("ML113", "")),
    "many_problems": _many_problems,
}


def __getattr__(name: str) -> Stack:
    if name in CASES:
        return CASES[name]()
    raise AttributeError(name)
