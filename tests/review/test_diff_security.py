"""`momentloop-synth diff` on real git repositories: one test per kind of security row, a
replacement, a removal, a cost change, and --fail-on broadening."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from momentloop_infra.cli import main
from tests.review.repo import Repo, StackText


def report(repo: Repo, stack: StackText, *args: str) -> dict[str, Any]:
    repo.write(stack)
    result = repo.run("diff", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def rows(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in data["security"] if r["kind"] == kind]


def test_the_same_stack_is_no_change(repo: Repo) -> None:
    result = repo.run("diff")
    assert result.exit_code == 0
    assert "no change" in result.output
    assert "→ working tree" in result.output


def test_a_stronger_role_is_a_broadening_row_and_the_old_one_a_removal(repo: Repo) -> None:
    data = report(repo, StackText(access="read_write"))
    role = rows(data, "role")
    assert {(r["subject"], r["change"], r["resource"], r["broadening"]) for r in role} == {
        ("shop/api", "granted Storage Blob Data Contributor", "shop/storage", True),
        ("shop/api", "removed Storage Blob Data Reader", "shop/storage", False),
    }
    assert data["roles_added"] == [
        {"role": "Storage Blob Data Contributor", "principal": "shop/api", "target": "shop/storage"}
    ]


def test_fail_on_broadening_exits_3_on_a_new_role_after_printing(repo: Repo) -> None:
    repo.write(StackText(access="read_write"))
    result = repo.run("diff", "--fail-on", "broadening")
    assert result.exit_code == 3
    assert "granted Storage Blob Data Contributor" in result.output
    assert "refused: 1 change(s) widen access" in result.output


def test_fail_on_broadening_exits_0_on_a_narrowing(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path / "narrow")
    monkeypatch.chdir(repo.root)
    repo.commit(StackText(access="read_write"))
    repo.write(StackText(access="read"))
    result = repo.run("diff", "--fail-on", "broadening")
    assert result.exit_code == 0, result.output
    assert "granted Storage Blob Data Reader (replacing Storage Blob Data Contributor)" in result.output
    assert "removed Storage Blob Data Contributor" in result.output


def test_ingress_made_external(repo: Repo) -> None:
    (row,) = rows(report(repo, StackText(ingress="external")), "ingress")
    assert row["subject"] == "shop/api"
    assert row["change"] == "external ingress: false → true"
    assert row["broadening"] is True


def test_ingress_made_internal_is_a_narrowing(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path / "internal")
    monkeypatch.chdir(repo.root)
    repo.commit(StackText(ingress="external"))
    (row,) = rows(report(repo, StackText(ingress="internal")), "ingress")
    assert row["change"] == "external ingress: true → false"
    assert row["broadening"] is False


def test_public_network_access_enabled(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path / "public")
    monkeypatch.chdir(repo.root)
    repo.commit(StackText(extra='vault.override("properties.publicNetworkAccess", "Disabled")'))
    (row,) = rows(report(repo, StackText()), "public network")
    assert (row["subject"], row["change"], row["broadening"]) == (
        "shop/vault",
        "public network access: 'Disabled' → 'Enabled'",
        True,
    )


def test_a_firewall_range_opened_and_closed(repo: Repo) -> None:
    rule = 'storage.override("properties.networkAcls.ipRules", [{"value": "203.0.113.0/24", "action": "Allow"}])'
    (opened,) = rows(report(repo, StackText(extra=rule)), "firewall")
    assert (opened["subject"], opened["change"], opened["broadening"]) == (
        "shop/storage",
        "opened 203.0.113.0/24",
        True,
    )
    repo.commit(StackText(extra=rule), "open")
    (closed,) = rows(report(repo, StackText()), "firewall")
    assert (closed["change"], closed["broadening"]) == ("closed 203.0.113.0/24", False)


def test_shared_key_access_turned_on(repo: Repo) -> None:
    data = report(repo, StackText(extra='storage.override("properties.allowSharedKeyAccess", True)'))
    (row,) = rows(data, "shared key / anonymous")
    assert (row["subject"], row["change"], row["broadening"]) == (
        "shop/storage",
        "shared-key access: false → true",
        True,
    )


def test_anonymous_pull_on_the_registry(repo: Repo) -> None:
    data = report(repo, StackText(extra='registry.override("properties.anonymousPullEnabled", True)'))
    (row,) = rows(data, "shared key / anonymous")
    assert (row["subject"], row["change"], row["broadening"]) == ("shop/registry", "anonymous pull: false → true", True)


def test_tls_minimum_lowered(repo: Repo) -> None:
    (row,) = rows(report(repo, StackText(extra='storage.override("properties.minimumTlsVersion", "TLS1_0")')), "TLS")
    assert (row["change"], row["broadening"]) == ("minimum TLS version: 'TLS1_2' → 'TLS1_0'", True)


def test_a_postgres_administrator_added(repo: Repo) -> None:
    (row,) = rows(report(repo, StackText(extra="web.connect(db)")), "PostgreSQL admin")
    assert (row["subject"], row["change"], row["resource"], row["broadening"]) == (
        "shop/web",
        "made administrator",
        "shop/postgres",
        True,
    )


def test_key_vault_secrets_added_and_removed_by_name_only(repo: Repo) -> None:
    data = report(repo, StackText(secrets=("db-password",)))
    secret_rows = rows(data, "Key Vault secret")
    assert {(r["change"], r["broadening"]) for r in secret_rows} == {
        ("added secret 'db-password'", False),
        ("removed secret 'api-key'", False),
    }
    assert "DB_PASSWORD" not in json.dumps(data["security"])  # names only: no value, no environment variable


def test_a_create_only_property_forces_a_replacement(repo: Repo) -> None:
    data = report(repo, StackText(geo=True))
    (server,) = [r for r in data["resources"] if r["symbol"] == "postgres.server"]
    assert server["kind"] == "replaced"
    assert server["properties"] == [
        {
            "path": "properties.backup.geoRedundantBackup",
            "old": "Disabled",
            "new": "Enabled",
            "forces_replacement": True,
        }
    ]


def test_an_explicit_name_forces_a_replacement(repo: Repo) -> None:
    (repo.root / "stack.py").write_text(
        StackText()
        .render()
        .replace('ContainerRegistry(stack, "registry")', 'ContainerRegistry(stack, "registry", name="crshop01")'),
        encoding="utf-8",
    )
    result = repo.run("diff")
    assert result.exit_code == 0
    assert "! replaced shop/registry  Microsoft.ContainerRegistry/registries  registry.registry" in result.output
    assert (
        "name: '${abbrs.containerRegistryRegistries}registry${resourceToken}' → 'crshop01'   (forces replacement)"
        in result.output
    )


def test_a_removed_container_is_reported_as_removed(repo: Repo) -> None:
    data = report(repo, StackText(containers=("uploads",)))
    assert [(r["kind"], r["path"], r["symbol"]) for r in data["resources"]] == [
        ("removed", "shop/storage", "storage.exportsContainer")
    ]
    assert data["security"] == []


def test_a_bigger_database_shows_its_cost_change(repo: Repo) -> None:
    data = report(repo, StackText(sku="Standard_B2s"))
    assert data["cost"]["old"]["total_usd"] < data["cost"]["new"]["total_usd"]
    # B1ms $0.017/h -> B2s $0.068/h over 730 hours
    assert data["cost"]["change_usd"] == pytest.approx((0.068 - 0.017) * 730, abs=0.01)
    repo.write(StackText(sku="Standard_B2s"))
    text = repo.run("diff").output
    assert "shop/postgres: $16.09 → $53.32 (+$37.23)" in text


def test_against_a_ref_and_a_new_stack(repo: Repo) -> None:
    first = repo.git("rev-parse", "HEAD").strip()
    repo.commit(StackText(access="read_write"), "write access")
    result = repo.run("diff", "--against", first, "--fail-on", "broadening")
    assert result.exit_code == 3
    assert f"{first[:12]} → working tree" in result.output
    assert repo.run("diff", "--against", "HEAD").exit_code == 0
    (repo.root / "new.py").write_text((repo.root / "stack.py").read_text(), encoding="utf-8")
    fresh = repo.run("diff", "--app", "new.py:stack", "--format", "json")
    assert fresh.exit_code == 0
    data = json.loads(fresh.output)
    assert {r["kind"] for r in data["resources"]} == {"added"}


def test_against_an_output_folder(repo: Repo) -> None:
    built = repo.run("--out", "out")
    assert built.exit_code == 0, built.output
    assert "no change" in repo.run("diff", "--against-dir", "out").output
    repo.write(StackText(access="read_write", secrets=("api-key", "other")))
    data = json.loads(repo.run("diff", "--against-dir", "out", "--format", "json").output)
    assert {(r["kind"], r["change"]) for r in data["security"]} == {
        ("role", "granted Storage Blob Data Contributor"),
        ("role", "removed Storage Blob Data Reader"),
        ("Key Vault secret", "added secret 'other'"),
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--against", "no-such-ref"), "error: "),
        (("--against-dir", "missing"), "error: --against-dir missing: no infra/main.bicep in it"),
        (("--against", "HEAD", "--against-dir", "x"), "error: give --against REF or --against-dir DIR, not both"),
        (("--assume", "gb=3"), "error: --assume 'gb=3': expected name=number"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(repo: Repo, args: tuple[str, ...], message: str) -> None:
    result = repo.run("diff", *args)
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1


def test_the_momentloop_stack_against_its_committed_output_is_no_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader of output folders gives back exactly the records the stack synthesizes."""
    repo_root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(repo_root)
    result = CliRunner().invoke(main, ["diff", "--against-dir", "synth_out", "--fail-on", "broadening"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("no change\n")


def test_a_stack_named_as_a_module_is_imported_afresh_at_the_ref(repo: Repo) -> None:
    """`--app package.module:stack` in a folder without __init__.py: the ref's copy is the one loaded."""
    (repo.root / "infra").mkdir()
    (repo.root / "infra" / "shop.py").write_text(StackText().render(), encoding="utf-8")
    repo.git("add", "infra/shop.py")
    repo.git("commit", "-q", "-m", "as a module")
    (repo.root / "infra" / "shop.py").write_text(StackText(access="read_write").render(), encoding="utf-8")
    result = CliRunner().invoke(main, ["--app", "infra.shop:stack", "diff", "--fail-on", "broadening"])
    assert result.exit_code == 3, result.output
    assert "granted Storage Blob Data Contributor" in result.output


GROUPED_STACK = """
from momentloop_infra import BlobStore, ContainerApp, ContainerAppsEnvironment, ContainerRegistry, LogAnalytics, Stack
stack = Stack("wide")
env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
registry = ContainerRegistry(stack, "registry")
for i in range(60):  # past 256 parameters: each kind's settings become one typed object parameter
    app = ContainerApp(stack, f"app-{i}", environment=env, registry=registry)
    app.connect(BlobStore(stack, f"store-{i}", containers=["files"]), access="read_write")
"""


def test_an_output_folder_with_typed_object_parameters_reads_back_unchanged(repo: Repo) -> None:
    (repo.root / "stack.py").write_text(GROUPED_STACK, encoding="utf-8")
    built = repo.run("--out", "out")
    assert built.exit_code == 0, built.output
    assert "param containerAppSettings {\n  *: {\n" in (repo.root / "out/infra/main.bicep").read_text("utf-8")
    data = json.loads(repo.run("diff", "--against-dir", "out", "--format", "json").output)
    assert data["resources"] == [] and data["security"] == []
    # A grouped setting is compared by its value on both sides, as any other.
    (repo.root / "stack.py").write_text(
        GROUPED_STACK.replace(
            "registry=registry)", 'registry=registry, cpu=0.5 if i == 3 else 0.25, memory="1Gi" if i == 3 else "0.5Gi")'
        ),
        encoding="utf-8",
    )
    data = json.loads(repo.run("diff", "--against-dir", "out", "--format", "json").output)
    (changed,) = data["resources"]
    assert changed["path"] == "wide/app-3"
    assert {p["path"]: (p["old"], p["new"]) for p in changed["properties"]} == {
        "properties.template.containers[app-3].resources.cpu": (0.25, 0.5),
        "properties.template.containers[app-3].resources.memory": ("0.5Gi", "1Gi"),
    }


MESSAGING_STACK = """
from momentloop_infra import ContainerApp, ContainerAppsEnvironment, ContainerRegistry, LogAnalytics, Resource, Stack
stack = Stack("msg")
env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
registry = ContainerRegistry(stack, "registry")
bus = Resource(stack, "bus", type="Microsoft.ServiceBus/namespaces@2024-01-01", sku={"name": "Standard"},
               properties={"disableLocalAuth": True, "minimumTlsVersion": "1.2"})
orders = Resource(bus, "orders", type="Microsoft.ServiceBus/namespaces/queues@2024-01-01")
ContainerApp(stack, "sender", environment=env, registry=registry).connect(orders, role="Azure Service Bus Data Sender")
receiver = ContainerApp(stack, "receiver", environment=env, registry=registry, ingress="none")
receiver.connect(orders, role="Azure Service Bus Data Receiver")
"""


def test_roles_on_a_child_resource_read_back_from_a_folder_on_that_child(repo: Repo) -> None:
    (repo.root / "stack.py").write_text(MESSAGING_STACK, encoding="utf-8")
    assert repo.run("--out", "out").exit_code == 0
    # The folder's assignments live in the namespace's module, scoped to the queue: the queue's grants.
    unchanged = repo.run("diff", "--against-dir", "out", "--fail-on", "broadening")
    assert unchanged.exit_code == 0 and unchanged.output.endswith("no change\n"), unchanged.output
    (repo.root / "stack.py").write_text(
        MESSAGING_STACK.replace("receiver.connect", "# receiver.connect"), encoding="utf-8"
    )
    data = json.loads(repo.run("diff", "--against-dir", "out", "--format", "json").output)
    assert [(r["subject"], r["change"], r["resource"]) for r in data["security"]] == [
        ("msg/receiver", "removed Azure Service Bus Data Receiver", "msg/bus/orders")
    ]


WIDE_GROUPED_STACK = """
from momentloop_infra import BlobStore, ContainerApp, ContainerAppsEnvironment, ContainerRegistry, LogAnalytics, Stack
stack = Stack("wide")
env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
registry = ContainerRegistry(stack, "registry")
# Past 800 module calls (grouping modules: an app's principal id reaches its store through a group's
# values) and past 200 principals on the registry (its AcrPull as one loop).
for i in range(TOTAL):
    app = ContainerApp(stack, f"app-{i}", environment=env, registry=registry)
    app.connect(BlobStore(stack, f"store-{i}", containers=["files"]), access="read_write")
"""


def test_a_grouped_stack_against_its_own_output_folder_is_no_change(repo: Repo) -> None:
    (repo.root / "stack.py").write_text(WIDE_GROUPED_STACK.replace("TOTAL", "210"), encoding="utf-8")
    assert repo.run("--out", "out").exit_code == 0
    infra = repo.root / "out/infra"
    assert (infra / "group-2.bicep").is_file()
    assert "[for principal in items(acrPullPrincipalIds): {" in (infra / "modules/container-registry.bicep").read_text()
    unchanged = repo.run("diff", "--against-dir", "out", "--fail-on", "broadening")
    assert unchanged.exit_code == 0 and unchanged.output.endswith("no change\n"), unchanged.output[:2000]
    # One app more: its own grants are the only roles that change (not 200 read back as new).
    (repo.root / "stack.py").write_text(WIDE_GROUPED_STACK.replace("TOTAL", "211"), encoding="utf-8")
    data = json.loads(repo.run("diff", "--against-dir", "out", "--format", "json").output)
    assert sorted((r["subject"], r["change"], r["resource"]) for r in data["security"] if r["kind"] == "role") == [
        ("wide/app-210", "granted AcrPull", "wide/registry"),
        ("wide/app-210", "granted Storage Blob Data Contributor", "wide/store-210"),
    ]


def test_role_assignments_becoming_one_loop_past_200_apps_are_kept_not_replaced(repo: Repo) -> None:
    (repo.root / "stack.py").write_text(WIDE_GROUPED_STACK.replace("TOTAL", "200"), encoding="utf-8")
    repo.git("add", "stack.py")
    repo.git("commit", "-q", "-m", "200 apps")
    (repo.root / "stack.py").write_text(WIDE_GROUPED_STACK.replace("TOTAL", "201"), encoding="utf-8")
    data = json.loads(repo.run("diff", "--against", "HEAD", "--format", "json").output)
    # The registry's 200 AcrPull declarations are now copies of one loop: the same assignments
    # (type, scope and name), so only the new app's resources are added and nothing is removed.
    assert {r["kind"] for r in data["resources"]} == {"added"}
    assert {r["path"] for r in data["resources"]} == {"wide/app-200", "wide/store-200", "wide/registry"}
    (pull,) = [r for r in data["resources"] if r["path"] == "wide/registry"]
    assert pull["symbol"] == "registry.acrPullAssignments[app_200]"
