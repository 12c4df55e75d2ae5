"""A target with more role assignments than one module holds (ARM: 800 resources per template)
keeps MAX_GRANTS_PER_MODULE in its own module and the rest in access modules beside it: each
declares the target `existing` by the same name, deploys after it, and every app waits on the
module holding its own assignments. Shown here with the limit lowered to 4 on ten apps; the
1,000-app stack in test_scale.py meets the real one."""

from __future__ import annotations

import pytest

from momentloop_infra import (
    BlobStore,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    KeyVault,
    LogAnalytics,
    Stack,
    StackError,
    synthesize,
)
from momentloop_infra.bicep.expr import refs_of
from momentloop_infra.constructs import plan as plan_module
from momentloop_infra.model.project import Project
from momentloop_infra.model.records import ModuleCall

ROLE_ASSIGNMENTS = "Microsoft.Authorization/roleAssignments"


def ten_apps_on_one_registry_and_store() -> Stack:
    stack = Stack("crowd")
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    registry = ContainerRegistry(stack, "registry")
    shared = BlobStore(stack, "shared", containers=["files"])
    for i in range(10):
        ContainerApp(stack, f"app-{i}", environment=env, registry=registry).connect(shared)
    return stack


@pytest.fixture
def project(monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setattr(plan_module, "MAX_GRANTS_PER_MODULE", 4)
    return synthesize(ten_apps_on_one_registry_and_store())  # validated: no blocking finding


def calls(project: Project) -> dict[str, ModuleCall]:
    return {c.symbol: c for c in project.main.modules}


def assignments(project: Project, file: str) -> list[str]:
    return [
        r.body["properties"]["principalId"].text for r in project.modules[file].resources if r.type == ROLE_ASSIGNMENTS
    ]  # type: ignore[index,union-attr]


def test_the_grants_past_one_module_go_to_access_modules_of_at_most_the_limit(project: Project) -> None:
    assert assignments(project, "modules/container-registry.bicep") == [f"app_{i}PrincipalId" for i in range(4)]
    assert assignments(project, "modules/container-registry-access-2.bicep") == [
        f"app_{i}PrincipalId" for i in range(4, 8)
    ]
    assert assignments(project, "modules/container-registry-access-3.bicep") == ["app_8PrincipalId", "app_9PrincipalId"]
    # The same for the store every app reads.
    assert len(assignments(project, "modules/storage-shared.bicep")) == 4
    assert len(assignments(project, "modules/storage-shared-access-3.bicep")) == 2


def test_an_access_module_grants_on_the_targets_resource_by_its_name_after_it_deployed(project: Project) -> None:
    access = project.modules["modules/container-registry-access-2.bicep"]
    existing = [r for r in access.resources if r.existing]
    assert [(r.symbol, r.type, dict(r.body)) for r in existing] == [
        ("registry", "Microsoft.ContainerRegistry/registries", {"name": existing[0].body["name"]})
    ]
    assert all(r.body["scope"].text == "registry" for r in access.resources if not r.existing)  # type: ignore[union-attr]
    call, registry = calls(project)["registryAccess2"], calls(project)["registry"]
    assert call.params["name"] == registry.params["name"]  # the registry's own name
    assert call.depends_on == ("registry",)


def test_each_app_waits_on_the_module_holding_its_own_assignments(project: Project) -> None:
    found = calls(project)

    def waits_on(app: str) -> set[str]:  # dependsOn, or a reference to the module's outputs
        return set(found[app].depends_on) | set(refs_of(found[app].params.values()))

    for i in range(10):
        holder = "registry" if i < 4 else "registryAccess2" if i < 8 else "registryAccess3"
        store_holder = "shared" if i < 4 else "sharedAccess2" if i < 8 else "sharedAccess3"
        assert {holder, store_holder} <= waits_on(f"app_{i}"), i
        others = {"registryAccess2", "registryAccess3", "sharedAccess2", "sharedAccess3"} - {holder, store_holder}
        assert not others & waits_on(f"app_{i}"), i


def test_under_the_limit_a_target_keeps_every_grant_in_its_own_module() -> None:
    project = synthesize(ten_apps_on_one_registry_and_store())
    assert not [name for name in project.modules if "-access-" in name]
    assert len(assignments(project, "modules/container-registry.bicep")) == 10


def test_apps_waiting_on_different_access_modules_still_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    # 350 apps on one registry, 30 grants a module: twelve modules hold the AcrPull assignments,
    # and the apps in one grouping module wait on different ones. Each set loops apart (a copy
    # cannot wait on a plain call by index); none is left a declaration of its own.
    monkeypatch.setattr(plan_module, "MAX_GRANTS_PER_MODULE", 30)
    stack = Stack("crowd")
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    registry = ContainerRegistry(stack, "registry")
    for i in range(350):
        ContainerApp(stack, f"app-{i}", environment=env, registry=registry)
    project = synthesize(stack)
    apps = [
        call
        for name, file in project.modules.items()
        if name.startswith("group-")
        for call in file.modules
        if call.file == "modules/container-app.bicep"
    ]
    assert sum(call.copies for call in apps) == 350
    assert all(call.loop is not None for call in apps), [c.symbol for c in apps if c.loop is None]
    for call in apps:  # each loop waits on one holder of its copies' assignments, by name
        assert call.loop is not None
        holders = [d for d in call.depends_on if d.startswith("registry")]
        assert len(holders) <= 1


def test_an_id_whose_module_file_meets_an_access_modules_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_module, "MAX_GRANTS_PER_MODULE", 3)
    stack = Stack("crowd")
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    registry = ContainerRegistry(stack, "registry")
    vault = KeyVault(stack, "kv", secrets=["api-key"])
    KeyVault(stack, "kv-access-2", secrets=["other"])  # its module file is kv's first access module's
    for i in range(5):
        ContainerApp(stack, f"app-{i}", environment=env, registry=registry).connect(vault)
    with pytest.raises(StackError) as raised:
        synthesize(stack)
    (problem,) = raised.value.problems
    assert problem.path == "crowd/kv-access-2" and problem.field == "id" and problem.value == "kv-access-2"
    assert "writes modules/key-vault-kv-access-2.bicep, as crowd/kv does" in problem.message
