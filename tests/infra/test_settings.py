"""Invalid settings fail at synth time naming the construct path, the field, the value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from momentloop_infra import StackError
from momentloop_infra.pipeline.synthesize import synthesize
from tests.infra.builders import base


def problems_of(kind: str, **settings: Any) -> list[str]:
    b = base()
    getattr(b, kind)("thing", **settings)
    with pytest.raises(StackError) as raised:
        synthesize(b.stack)
    return [str(p) for p in raised.value.problems]


@pytest.mark.parametrize(
    ("kind", "settings", "expected"),
    [
        (
            "db",
            {"high_availability": "ZoneRedundant"},
            "demo/thing: high_availability = 'ZoneRedundant': HA needs tier GeneralPurpose or MemoryOptimized",
        ),
        (
            "db",
            {"storage_gb": 100},
            "demo/thing: storage_gb = 100: PostgreSQL Flexible Server offers 32, 64, 128",
        ),
        ("db", {"sku": "B1ms"}, "demo/thing: sku = 'B1ms': expected a Flexible Server compute size"),
        ("db", {"sku": "Standard_D2s_v3", "tier": "Burstable"}, "is in tier 'GeneralPurpose'"),
        (
            "db",
            {"version": "9"},
            "demo/thing: version = '9': Input should be '13', '14', '15', '16', '17' or '18'",
        ),
        (
            "app",
            {"cpu": 0.5, "memory": "2Gi"},
            "demo/thing: memory = '2Gi': Container Apps pairs 0.5 vCPU with 1Gi",
        ),
        ("app", {"cpu": 5}, "demo/thing: cpu = 5.0: Container Apps accepts 0.25 to 4 vCPU in steps of 0.25"),
        (
            "app",
            {"min_replicas": 4, "max_replicas": 3},
            "demo/thing: min_replicas = 4: is greater than max_replicas=3",
        ),
        (
            "app",
            {"env": {"JWT_SECRET": "x"}},
            "demo/thing: env = 'JWT_SECRET': looks like a secret passed as a plain environment variable",
        ),
        (
            "app",
            {"identity": "system_assigned"},
            "demo/thing: identity = 'system_assigned': a system-assigned identity exists only once",
        ),
        ("app", {"health_path": "healthz"}, "demo/thing: health_path = 'healthz': probe paths start with '/'"),
        ("app", {"port": 70000}, "demo/thing: port = 70000: Input should be less than or equal to 65535"),
        ("store", {"sku": "Premium_LRS"}, "demo/thing: sku = 'Premium_LRS': Input should be 'Standard_LRS'"),
        (
            "store",
            {"containers": ["Uploads"]},
            "demo/thing: containers = 'Uploads': blob container names are 3 to 63 lowercase",
        ),
        (
            "vault",
            {"soft_delete_days": 3},
            "demo/thing: soft_delete_days = 3: Input should be greater than or equal to 7",
        ),
        ("vault", {"secrets": ["API_KEY"]}, "demo/thing: secrets = 'API_KEY': secret names are lowercase"),
        (
            "store",
            {"name": "My_Store"},
            "demo/thing: name = 'My_Store': storage account names allow lowercase letters and digits only",
        ),
        ("app", {"name": "x" * 40}, "container app names are 2 to 32 characters; this one has 40"),
    ],
)
def test_invalid_settings(kind: str, settings: dict[str, Any], expected: str) -> None:
    found = problems_of(kind, **settings)
    assert any(expected in p for p in found), found


def test_profile_values_are_checked_under_the_profile_name() -> None:
    b = base()
    b.db("db", profiles={"scale-up": {"sku": "Standard_B2s", "high_availability": "ZoneRedundant"}})
    synthesize(b.stack)  # the default profile is valid
    with pytest.raises(StackError, match=r"demo/db \(profile 'scale-up'\): high_availability"):
        synthesize(b.stack, "scale-up")


def test_unknown_setting_lists_the_known_ones() -> None:
    b = base()
    from momentloop_infra import BlobStore

    BlobStore(b.stack, "store", profiles={"scale-up": {"replication": "GRS"}})
    with pytest.raises(StackError, match="unknown setting; BlobStore accepts: access_tier, containers"):
        synthesize(b.stack, "scale-up")


def test_duplicate_ids_and_bad_ids_name_the_parent() -> None:
    b = base()
    b.store("store")
    b.store("store")
    b.store("Bad_Id")
    with pytest.raises(StackError) as raised:
        synthesize(b.stack)
    text = str(raised.value)
    assert "demo/store: id = 'store': 'demo' already has a child with this id" in text
    assert "demo/Bad_Id: id = 'Bad_Id': ids are lowercase letters and digits" in text


def test_an_empty_stack_and_an_app_without_registry_are_refused() -> None:
    from momentloop_infra import ContainerApp, Stack

    with pytest.raises(StackError, match="the stack has no resources"):
        synthesize(Stack("empty"))
    b = base()
    ContainerApp(b.stack, "api", environment=b.env)
    with pytest.raises(StackError, match="demo/api: registry: an app needs a ContainerRegistry"):
        synthesize(b.stack)
