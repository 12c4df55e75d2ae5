"""Any size within Azure Resource Manager's limits: a stack of 500 apps and 500 stores deploys, and
one of 1,000 and 1,000.

Every template stays within 256 parameters, 512 variables, 800 resources and module deployments,
64 outputs and 4 MB; settings stay assignable one environment variable each; every app deploys
after the modules that hold its role assignments, and waits on nothing else."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import attrs
import pytest

from benchmarks.generated_stack import generated  # the stack the speed benchmark times
from momentloop_infra import (
    BlobStore,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    LogAnalytics,
    Stack,
    StackError,
    synthesize,
)
from momentloop_infra.emit.bicep_file import render_bicep
from momentloop_infra.emit.files import Layout
from momentloop_infra.model.expand import expand_loops
from momentloop_infra.model.project import Project
from momentloop_infra.model.records import BicepFile
from momentloop_infra.pipeline.run import write
from momentloop_infra.review.reader import snapshot_of_dir
from momentloop_infra.review.snapshot import snapshot_of
from momentloop_infra.review.values import Opaque, flatten
from momentloop_infra.validation.consistency import check_project
from momentloop_infra.validation.rules import TEMPLATE_LIMITS
from momentloop_infra.validation.template_size import MAX_RESOURCE_BYTES, compiled_template, template_json
from tests.infra.support import files_of
from tests.validation.test_syntax import as_bicep, parse_errors

LIMITS = dict(TEMPLATE_LIMITS)


@cache
def big() -> tuple[Project, dict[str, str]]:
    stack = generated(500)
    return synthesize(stack), files_of(stack)


def counts(file: BicepFile) -> dict[str, int]:
    return {
        "params": len(file.params),
        "variables": len(file.variables),
        # A looped resource (a large target's role assignments) counts once per copy, as ARM counts it.
        "resources and modules": sum(r.copies for r in file.resources if not r.existing)
        + sum(m.copies for m in file.modules),
        "outputs": len(file.outputs),
    }


def test_the_500_app_stack_synthesizes_with_every_template_within_the_limits() -> None:
    project, files = big()
    assert project.report is not None
    assert not [f for f in project.report.findings if f.rule == "ML210"]
    templates = {"main.bicep": project.main, **project.modules}
    # Like constructs share one module file per distinct text: every app's, the stores' (two: the
    # first store's grants come in another order), the identities', the image lookups'.
    assert sorted(project.modules) == [
        "group-1.bicep",
        "group-2.bicep",
        "group-3.bicep",
        "modules/container-app.bicep",
        "modules/container-apps-env.bicep",
        "modules/container-registry.bicep",
        "modules/fetch-container-image.bicep",
        "modules/monitoring-logs.bicep",
        "modules/storage-2.bicep",
        "modules/storage.bicep",
        "modules/user-assigned-identity.bicep",
    ]
    for name, file in templates.items():
        for what, count in counts(file).items():
            assert count <= LIMITS[what], f"{name}: {count} {what}"
        assert len(files[name].encode()) < 4 * 1024 * 1024, name
    # What it would take without grouping: over every limit in main.bicep.
    assert counts(project.main) == {"params": 6, "variables": 3, "resources and modules": 4, "outputs": 6}
    groups = [name for name in templates if name.startswith("group-")]
    assert groups == ["group-1.bicep", "group-2.bicep", "group-3.bicep"]
    assert sum(m.copies for g in groups for m in project.modules[g].modules) == 3 + 3 * 500 + 500
    # Calls of one module file become one loop: each template is written once per group.
    for g in groups:
        loops = [m for m in project.modules[g].modules if m.loop is not None]
        assert loops and sum(m.copies for m in loops) > 0.9 * sum(m.copies for m in project.modules[g].modules)
    assert max(counts(project.modules[g])["resources and modules"] for g in groups) == 668
    registry = counts(project.modules["modules/container-registry.bicep"])
    assert (
        registry["resources and modules"] == 501 and registry["params"] <= 10
    )  # 500 AcrPull copies, ids as one object


def test_a_target_granting_hundreds_of_apps_declares_each_role_once_as_a_loop() -> None:
    project, files = big()
    registry = project.modules["modules/container-registry.bicep"]
    (assignments,) = [r for r in registry.resources if r.type == "Microsoft.Authorization/roleAssignments"]
    assert assignments.loop is not None and assignments.copies == 500
    text = files["modules/container-registry.bicep"]
    assert (
        "resource acrPullAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = "
        "[for principal in items(acrPullPrincipalIds): {\n"
        "  name: guid(registry.id, principal.value, '7f951dda-4ed3-4680-a7ca-43fe172d538d')\n"
    ) in text
    assert "    principalId: principal.value\n" in text and text.count("roleAssignments@") == 1
    assert len(text.encode()) < 3000  # one declaration, not 500
    # main.bicep's side passes every app's principal id, by app, in the object the loop goes over.
    (group,) = [g for g in project.modules if "modules/container-registry.bicep" in files.get(g, "")]
    (call,) = [c for c in expand_loops(project.modules[group]).modules if c.file == "modules/container-registry.bicep"]
    ids = call.params["acrPullPrincipalIds"]
    assert isinstance(ids, dict) and len(ids) == 500
    assert str(ids["app_7"]) == "app_7Identity.outputs.principalId"  # read from the identities' loop, by copy
    assert project.role_assignment_count == 1500  # every copy counted
    # The review sees each copy, named by its app and resolved to that app's identity.
    copy = snapshot_of(project).instances["registry.acrPullAssignments[app_7]"]
    assert copy.path == "generated/registry"
    assert copy.body["properties"]["principalId"] == Opaque("app_7Identity.outputs.principalId")
    # Named as one declaration per app named it: a stack crossing 200 apps keeps its assignments.
    assert copy.body["name"] == Opaque(
        "guid(registry.id, app_7Identity.outputs.principalId, '7f951dda-4ed3-4680-a7ca-43fe172d538d')"
    )


def test_the_1000_app_stack_synthesizes_too_the_registrys_grants_split_in_two_modules() -> None:
    project = synthesize(generated(1000))  # validated: ML210 would refuse a template past a limit
    assert project.report is not None and not [f for f in project.report.findings if f.rule == "ML210"]
    for name, file in {"main.bicep": project.main, **project.modules}.items():
        for what, count in counts(file).items():
            assert count <= LIMITS[what], (name, what, count)
    assignments = {
        name: sum(r.copies for r in file.resources if r.type == "Microsoft.Authorization/roleAssignments")
        for name, file in project.modules.items()
        if name.startswith("modules/container-registry")
    }
    assert assignments == {"modules/container-registry.bicep": 500, "modules/container-registry-access-2.bicep": 500}
    assert project.role_assignment_count == 3000


def test_settings_are_grouped_by_kind_and_still_read_one_environment_variable_each() -> None:
    project, files = big()
    names = [p.name for p in project.main.params]
    assert names[:2] == ["environmentName", "location"]
    assert set(names[2:]) == {
        "logAnalyticsSettings",
        "containerRegistrySettings",
        "blobStoreSettings",
        "containerAppSettings",
    }
    params = files["main.bicepparam"]
    assert "param containerAppSettings = {\n  app_0: {\n    exists: bool(readEnvironmentVariable(" in params
    assert "    cpu: readEnvironmentVariable('APP_7_CPU', '0.25')\n" in params
    assert "    maxReplicas: int(readEnvironmentVariable('APP_499_MAX_REPLICAS', '3'))\n" in params
    assert "    sku: readEnvironmentVariable('STORE_3_SKU', 'Standard_LRS')\n" in params
    assert params.count("readEnvironmentVariable(") == 2 + 2 + 1 + 500 * 5 + 500 * 2
    group = next(g for g in files if g.startswith("group-") and "symbol: 'app_7'\n" in files[g])
    assert "    cpu: containerAppSettings[item.symbol].cpu\n" in files[group]  # in the apps' loop
    (app_7,) = [c for c in expand_loops(project.modules[group]).modules if c.symbol == "app_7"]
    assert str(app_7.params["cpu"]) == "containerAppSettings.app_7.cpu"


def test_grouped_settings_keep_the_types_bounds_and_allowed_values_of_the_parameters_they_replace() -> None:
    # ARM still refuses `azd env set APP_7_MIN_REPLICAS -1` or a SKU that does not exist.
    project, files = big()
    main = files["main.bicep"]
    apps = main[main.index("param containerAppSettings {") :]
    apps = apps[: apps.index("\n}\n")]
    assert "  *: {\n" in apps  # one type for every app: they have the same settings
    assert "    @minValue(0)\n    @maxValue(1000)\n    minReplicas: int\n" in apps
    assert "    @minValue(1)\n    @maxValue(1000)\n    maxReplicas: int\n" in apps
    assert "    exists: bool\n" in apps and "    cpu: string\n" in apps
    assert "    sku: 'Basic' | 'Standard' | 'Premium'\n" in main
    # The grouping modules declare the same type for what they pass on.
    group = next(files[g] for g in files if g.startswith("group-") and "symbol: 'app_7'\n" in files[g])
    assert "@minValue(0)\n    @maxValue(1000)\n    minReplicas: int\n" in group
    blob = project.main.params[[p.name for p in project.main.params].index("blobStoreSettings")]
    field = blob.field("store_3", "sku")
    assert field is not None and "Standard_GRS" in field.allowed and field.type == "string"


def test_a_grouped_setting_outside_its_allowed_values_is_refused_in_main_bicepparam() -> None:
    project, _ = big()
    values = tuple(
        attrs.evolve(v, default="Premium_LRS") if v.within == ("store_3", "sku") else v for v in project.param_values
    )
    findings = check_project(attrs.evolve(project, param_values=values))
    (refused,) = [f for f in findings if f.rule == "ML004"]
    assert refused.field == "param blobStoreSettings.store_3.sku" and refused.value == "Premium_LRS"
    assert "Standard_LRS" in refused.message


def test_every_app_deploys_after_the_modules_holding_its_roles_and_waits_on_nothing_else() -> None:
    project, _ = big()
    # Each copy of a loop as the call it stands for (its item written in, copies read by symbol).
    plain = {name: expand_loops(f) for name, f in project.modules.items() if name.startswith("group-")}
    group_of = {call.symbol: name for name, f in plain.items() for call in f.modules}
    calls = {call.symbol: call for f in plain.values() for call in f.modules}
    main_calls = {call.file: call for call in project.main.modules}

    def group_waits_on(reader: str) -> set[str]:
        call = main_calls[reader]
        used = {m.group(1) for v in call.params.values() for m in re.finditer(r"\b(group\d+)\.", str(v))}
        return {f"group-{s.removeprefix('group')}.bicep" for s in used | set(call.depends_on)}

    def waits_on(app: str, target: str) -> bool:
        call, home, there = calls[app], group_of[app], group_of[target]
        if home == there:
            text = " ".join(str(v) for v in call.params.values())
            return target in call.depends_on or re.search(rf"\b{target}\.outputs\.", text) is not None
        return there in group_waits_on(home)

    for i in (0, 1, 250, 333, 499):
        app = f"app_{i}"
        for target in (f"store_{i}", f"store_{(i + 1) % 500}", "registry"):
            assert waits_on(app, target), (app, target)
        assert len(calls[app].depends_on) <= 3  # only what it uses; references say the rest
    assert max(len(c.depends_on) for c in calls.values()) <= 3
    for name, call in main_calls.items():
        assert len(call.depends_on) <= 2, name


def test_apps_differing_only_in_their_environment_values_share_one_module_file() -> None:
    # 300 apps with a value of their own each: one file per app would put 300 app templates into
    # main.json, past Azure's 1 MB for a group's deployment (ML210).
    stack = Stack("envs")
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    registry = ContainerRegistry(stack, "registry")
    for i in range(300):
        # Besides MODE, names whose parameters would be symbols the module declares already.
        names = {"NAME": "same", "APP": "a", "REGISTRY_SERVER": "r", "SERVICE_TAGS": "t", "CPU_VALUE": "v", "CPU": "c"}
        app = ContainerApp(stack, f"app-{i}", environment=env, registry=registry, env={"MODE": f"mode-{i}", **names})
        app.connect(BlobStore(stack, f"store-{i}", containers=["files"]))
    project = synthesize(stack)  # validated: no ML210
    apps = [name for name in project.modules if re.fullmatch(r"modules/container-app(-\d+)?\.bicep", name)]
    assert apps == ["modules/container-app.bicep"]
    text = render_bicep(project.modules["modules/container-app.bicep"])
    assert "param mode string\n" in text and "value: mode\n" in text
    # Not the module's own `name`, `app`, `registryServer`, `serviceTags` or `cpu`; CPU_VALUE comes
    # after CPU (sorted), whose parameter took `cpuValue`.
    declared = re.findall(r"^(?:param|var|resource) (\w+) ", text, flags=re.M)
    assert len(declared) == len(set(declared))
    for param in ("nameValue", "appValue", "registryServerValue", "serviceTagsValue", "cpuValue", "cpuValueValue"):
        assert f"param {param} string\n" in text
    copies = [c for g in project.modules if g.startswith("group-") for c in expand_loops(project.modules[g]).modules]
    (app_7,) = [c for c in copies if c.symbol == "app_7"]
    assert app_7.params["mode"] == "mode-7" and app_7.params["nameValue"] == "same"
    assert app_7.params["cpuValue"] == "c" and app_7.params["cpuValueValue"] == "v"
    assert str(app_7.params["registryServer"]) == "registry.outputs.loginServer"  # the registry's, not "r"


def test_apps_writing_distinct_module_files_are_grouped_by_size_as_well() -> None:
    # An environment variable of its own name in every app: 300 distinct app module files, each
    # template written once into the group deploying it. Groups of like count held 1.5 MB each.
    stack = Stack("distinct")
    env = ContainerAppsEnvironment(stack, "env", logs=LogAnalytics(stack, "logs"))
    registry = ContainerRegistry(stack, "registry")
    for i in range(300):
        app = ContainerApp(stack, f"app-{i}", environment=env, registry=registry, env={f"VAR_{i}": "x"})
        app.connect(BlobStore(stack, f"store-{i}", containers=["files"]))
    project = synthesize(stack)  # validated: ML210 would refuse a group over 1 MB
    assert project.report is not None and not [f for f in project.report.findings if f.rule == "ML210"]
    assert len([m for m in project.modules if m.startswith("modules/container-app")]) == 301  # + the environment's
    groups = [m for m in project.modules if m.startswith("group-")]
    assert len(groups) == 3  # by count alone, two of over 1 MB each
    template = compiled_template(project)
    resources = template["resources"]  # a symbolic-name template (typed parameters) keys them by symbol
    deployments = [r for r in resources.values() if r["type"] == "Microsoft.Resources/deployments"]
    assert len(deployments) == 3
    assert all(len(template_json(d).encode()) < MAX_RESOURCE_BYTES for d in deployments)
    # Every call still in exactly one group, in dependency order (a group reads only earlier ones).
    calls = [c.symbol for g in groups for c in expand_loops(project.modules[g]).modules]
    assert len(calls) == len(set(calls)) == 3 + 300 * 4


def test_a_mid_sized_stack_groups_only_what_does_not_fit() -> None:
    stack = generated(40)  # 280 settings: over 256 parameters; 163 modules: no grouping module
    project = synthesize(stack)
    assert len(project.main.params) == 6
    assert not any(name.startswith("group-") for name in project.modules)
    assert any(o.name == "SERVICE_APP_39_URI" for o in project.main.outputs) is False  # 80 would not fit
    assert [o.name for o in project.main.outputs][:3] == ["AZURE_LOCATION", "AZURE_TENANT_ID", "AZURE_RESOURCE_GROUP"]


@pytest.mark.parametrize("n", [3, 20])
def test_small_stacks_keep_the_plain_layout(n: int) -> None:
    project = synthesize(generated(n))
    assert any(p.name == "app_0Cpu" for p in project.main.params)
    assert any(o.name == "SERVICE_APP_0_URI" for o in project.main.outputs)
    assert not any(name.startswith("group-") for name in project.modules)


def test_the_grouped_layout_parses_with_the_bicep_grammar() -> None:
    _, files = big()
    for name in ("main.bicep", "group-1.bicep", "group-3.bicep", "modules/container-registry.bicep"):
        assert parse_errors(files[name]) == [], name
    assert parse_errors(as_bicep(files["main.bicepparam"])) == []


def test_a_template_over_a_limit_is_an_error_not_a_warning() -> None:
    stack = Stack("huge")
    BlobStore(stack, "files", containers=[f"c{i:03d}" for i in range(810)])  # 812 resources in one module
    with pytest.raises(StackError) as raised:
        synthesize(stack)
    assert any(
        "modules/storage-files.bicep declares 812 resources and modules, over 800" in str(p)
        for p in raised.value.problems
    )


def test_the_resource_count_goes_through_the_grouping_modules() -> None:
    project, _ = big()
    flat = synthesize(generated(20))
    # Per app: identity, app, AcrPull and two storage roles; per store: account, blob service, container.
    assert flat.resource_count == 1 + 3 + 20 * 5 + 20 * 3
    assert project.resource_count == 1 + 3 + 500 * 5 + 500 * 3


def test_the_review_sees_every_resource_inside_the_grouping_modules(tmp_path: Path) -> None:
    project, _ = big()
    snapshot = snapshot_of(project)
    apps = [i for i in snapshot.instances.values() if i.type == "Microsoft.App/containerApps"]
    assert len(apps) == 500
    app_7 = snapshot.instances["app_7.app"]
    assert app_7.path == "generated/app-7"
    # Grouped settings resolve to their values through main.bicep and the group.
    assert app_7.body["properties"]["template"]["containers"][0]["resources"]["cpu"] == 0.25
    # Read back from the written folder, the same project is no change at all.
    write(project, Layout.of(tmp_path / "out"))
    paths = {i.module: i.path for i in snapshot.instances.values() if i.module}  # as `diff --against-dir` does
    read = snapshot_of_dir(tmp_path / "out", "default", paths)
    assert read.instances.keys() == snapshot.instances.keys()
    assert read.instances["app_7.app"].path == "generated/app-7"
    # (compared as the diff compares them: leaf by leaf, None being what the serializer drops)
    assert flatten(read.instances["app_7.app"].body) == flatten(app_7.body)
    assert flatten(read.instances["store_7.account"].body) == flatten(snapshot.instances["store_7.account"].body)
