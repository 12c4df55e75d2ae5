"""Invalid stacks: every problem at once, each naming construct path, field, value and what is
allowed; exit code 2; nothing written; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from momentloop_infra.cli import main
from momentloop_infra.errors import StackError
from momentloop_infra.pipeline.synthesize import synthesize
from tests.validation.bad_stacks import CASES

# name -> fragments the output must contain: path, field, value, and the allowed values or the fix.
EXPECTED: dict[str, list[str]] = {
    "empty": ["empty:", "the stack has no resources"],
    "bad_stack_name": ["Bad_Name: name = 'Bad_Name'", "lowercase letters, digits and hyphens"],
    "unknown_storage_sku": ["demo/store: sku = 'Premium_XYZ'", "'Standard_LRS'", "'Standard_RAGZRS'"],
    "wrong_type_soft_delete": ["demo/store: soft_delete_days = 'a week'", "valid integer"],
    "soft_delete_out_of_range": ["demo/store: soft_delete_days = 400", "less than or equal to 365"],
    "bad_container_name": ["demo/store: containers = 'Bad_Name'", "3 to 63 lowercase letters"],
    "duplicate_containers": ["demo/store: containers = ['a1b', 'a1b']", "must be unique"],
    "unknown_access_tier": ["demo/store: access_tier = 'Freezing'", "'Hot', 'Cool' or 'Cold'"],
    "storage_name_illegal": ["demo/store: name = 'my-store!'", "lowercase letters and digits only"],
    "storage_name_too_long": ["demo/store: name = 'staaaa", "3 to 24 characters; this one has 32"],
    "app_id_too_long_is_shortened_but_explicit_name_is_not": ["demo/api: name = 'ca-xxxx", "2 to 32 characters"],
    "unknown_registry_sku": ["demo/registry: sku = 'Gold'", "'Basic', 'Standard' or 'Premium'"],
    "unknown_pg_sku": ["demo/db: sku = 'Large'", "'Standard_B1ms' (Burstable)"],
    "ha_on_burstable": ["demo/db: high_availability = 'ZoneRedundant'", "GeneralPurpose or MemoryOptimized"],
    "tier_mismatch": ["demo/db: tier = 'Burstable'", "set tier='GeneralPurpose'"],
    "pg_storage_size": ["demo/db: storage_gb = 50", "32, 64, 128"],
    "pg_version": ["demo/db: version = '9'", "'13', '14', '15', '16', '17' or '18'"],
    "pg_backup_retention": ["demo/db: backup_retention_days = 2", "greater than or equal to 7"],
    "cpu_not_a_step": ["demo/api: cpu = 0.3", "0.25 to 4 vCPU in steps of 0.25"],
    "cpu_memory_pair": ["demo/api: memory = '2Gi'", "pairs 0.5 vCPU with 1Gi"],
    "port_out_of_range": ["demo/api: port = 70000", "less than or equal to 65535"],
    "min_above_max_replicas": ["demo/api: min_replicas = 5", "max_replicas=2"],
    "unknown_ingress": ["demo/api: ingress = 'public'", "'external', 'internal' or 'none'"],
    "secret_as_plain_env": ["demo/api: env = 'DB_PASSWORD'", "add it to a KeyVault's secrets"],
    "bad_env_name": ["demo/api: env = '1BAD'", "letters, digits and underscores"],
    "system_identity": ["demo/api: identity = 'system_assigned'", "use the default 'user_assigned'"],
    "unknown_setting": ["demo/api: gpu = 1", "ContainerApp accepts: concurrent_requests, cpu"],
    "unknown_profile": ["demo/api: profiles = 'huge'", "profiles are: default, scale-up"],
    "bad_id": ["demo/Api_1: id = 'Api_1'", "for example 'backend'"],
    "duplicate_ids": ["demo/files: id = 'files'", "ids are unique per parent"],
    "connection_to_other_stack": ["demo/api: connect = 'other/store'", "connect only constructs of the same stack"],
    "environment_of_other_stack": ["demo/api: environment = 'other/env'", "belongs to another stack"],
    "conflicting_connections": ["demo/api: connect = 'demo/store'", "already connected with access='read'"],
    "connect_to_itself": ["demo/api: connect = 'demo/api'", "cannot connect to itself"],
    "access_on_vault": ["demo/api: connect = 'demo/vault'", "a KeyVault takes no access argument"],
    "connect_to_ingress_none": ["demo/web: connect = 'demo/worker'", "ingress='none'"],
    "app_without_registry": ["demo/api: registry", "needs a ContainerRegistry"],
    "bad_secret_name": ["demo/vault: secrets = 'Bad Secret'", "for example 'jwt-secret'"],
    "kv_soft_delete_days": ["demo/vault: soft_delete_days = 3", "greater than or equal to 7"],
    "override_unknown_property": ["demo/store: properties.publicBlobs", "known properties: accessTier", "[ML002]"],
    "override_wrong_kind": ["demo/store: properties.minimumTlsVersion = 12", "takes string", "[ML003]"],
    "override_closed_set": ["demo/store: properties.accessTier = 'Frozen'", "allowed values: 'Hot'", "[ML004]"],
    "override_open_set_still_checked_by_rules": ["properties.minimumTlsVersion = 'TLS1_0'", "'TLS1_2'", "[ML111]"],
    "override_read_only": ["demo/store: properties.provisioningState = 'Succeeded'", "read-only", "[ML006]"],
    "override_integer_range": [
        "demo/api: properties.configuration.dapr.appHealth.probeIntervalSeconds = 0",
        "allowed: 1 to inf",
        "[ML005]",
    ],
    "override_insecure": [
        "demo/store: properties.allowSharedKeyAccess = True",
        "set properties.allowSharedKeyAccess to false",
        "[ML113]",
    ],
    "override_admin_user": ["demo/registry: properties.adminUserEnabled = True", "[ML130]"],
    "override_password_auth": ["demo/db: properties.authConfig.passwordAuth = 'Enabled'", "'Disabled'", "[ML140]"],
    "override_insecure_ingress": ["demo/api: properties.configuration.ingress.allowInsecure = True", "[ML150]"],
    "suppress_unknown_rule": ["demo/store: suppress = 'ML999'", "rules that can be suppressed: ML101"],
    "suppress_without_reason": ["demo/store: suppress = 'ML113'", "give a written reason"],
    "many_problems": [
        "3 problems",
        "demo/store: sku = 'Gold_LRS'",
        "demo/db: high_availability",
        "demo/api: cpu = 0.3",
    ],
}


def test_the_table_is_complete() -> None:
    assert set(EXPECTED) == set(CASES)
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_stack(name: str, tmp_path: Path) -> None:
    with pytest.raises(StackError) as raised:
        synthesize(CASES[name]())
    for problem in raised.value.problems:
        assert problem.path and problem.message  # who, and what to do

    result = CliRunner().invoke(main, ["--app", f"tests.validation.bad_stacks:{name}", "--out", str(tmp_path / "out")])
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2, output
    assert ("Traceback" not in output and result.exception is None) or isinstance(result.exception, SystemExit)
    for fragment in EXPECTED[name]:
        assert fragment in output, f"{fragment!r} not in:\n{output}"
    assert not (tmp_path / "out").exists(), "nothing is written for a stack with problems"


@pytest.mark.parametrize("name", ["override_insecure", "ha_on_burstable"])
def test_validate_command_exits_2(name: str) -> None:
    result = CliRunner().invoke(main, ["validate", "--app", f"tests.validation.bad_stacks:{name}"])
    assert result.exit_code == 2
    assert "1 error," in result.output
