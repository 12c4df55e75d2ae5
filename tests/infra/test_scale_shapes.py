"""Shapes of stack the generated benchmark stack does not have, each of which once came out past
one of ARM's limits: many connections per app under 800 module calls, a vault with many secrets
read by many apps, a Resource whose module reads many values besides its principals."""

from __future__ import annotations

from momentloop_infra import ContainerApp, KeyVault, Resource, Stack, synthesize
from momentloop_infra.bicep.expr import refs_of
from momentloop_infra.emit.files import Layout
from momentloop_infra.pipeline.run import synthesize_files, validate_stack
from tests.infra.builders import base


def vault_stack(secrets: int, apps: int) -> Stack:
    b = base("vaulty")
    vault = KeyVault(b.stack, "vault", secrets=[f"secret-{i}" for i in range(secrets)])
    for i in range(apps):
        b.app(f"app-{i}").connect(vault)
    return b.stack


def senders_per_queue(name: str, queues: int) -> Stack:
    """A Service Bus namespace with `queues` queues, each with an app sending to it that reads its name."""
    b = base(name)
    bus = Resource(b.stack, "bus", type="Microsoft.ServiceBus/namespaces@2024-01-01", sku="Standard")
    for i in range(queues):
        queue = Resource(bus, f"q{i}", type="Microsoft.ServiceBus/namespaces/queues@2024-01-01")
        b.app(f"app-{i}", ingress="none").connect(
            queue, role="Azure Service Bus Data Sender", env={"QUEUE": queue.attr("name")}
        )
    return b.stack


def test_a_stack_under_800_module_calls_past_4_mb_one_file_per_app_shares_files_instead() -> None:
    # 150 apps, each reading a vault of 100 secrets: 451 module calls, yet with a file per app
    # (each with its 100 secret references) main.json would be about 4.1 MB.
    stack = vault_stack(100, 150)
    project = synthesize(stack)  # validated: ML210 would be an error
    apps = [name for name in project.modules if name.startswith("modules/container-app-") or name.endswith("app.bicep")]
    assert apps == ["modules/container-app.bicep"]  # one shared file, its calls one loop
    assert any(call.loop is not None and call.file == apps[0] for call in project.main.modules)
    # The command's path and validate's agree with synthesize.
    validated, files = synthesize_files(stack, "default", Layout.of("out"))
    assert validated.modules.keys() == project.modules.keys()
    assert "modules/container-app.bicep" in files and "modules/container-app-app-0.bicep" not in files
    report = validate_stack(stack)
    assert not report.errors, report.errors


def test_a_small_stack_keeps_a_file_per_app() -> None:
    project = synthesize(vault_stack(3, 4))
    assert sorted(n for n in project.modules if n.startswith("modules/container-app-app")) == [
        f"modules/container-app-app-{i}.bicep" for i in range(4)
    ]


def test_a_vaults_secrets_and_its_principals_stay_within_256_parameters() -> None:
    # 52 secret parameters and 200 principals: one each would be 257 with name, location, tags.
    project = synthesize(vault_stack(52, 200))
    vault = project.modules["modules/key-vault.bicep"]
    assert len(vault.params) <= 256
    assert any(p.name.endswith("PrincipalIds") and p.type == "object" for p in vault.params)
    assert any(r.loop is not None for r in vault.resources)


def test_a_resources_principals_loop_when_its_other_parameters_leave_no_room() -> None:
    b = base("wide")
    apps: list[ContainerApp] = [b.app(f"app-{i}", ingress="none") for i in range(199)]
    # A type not in the bundle (its body is not checked): 60 values read from main.bicep.
    topic = Resource(
        b.stack,
        "topic",
        type="Microsoft.EventGrid/topics@2025-02-15",
        properties={"readers": [a.principal_id for a in apps[:60]]},
    )
    for app in apps:
        app.connect(topic, role="Reader")
    project = synthesize(b.stack)  # validated: no ML210
    module = project.modules["modules/eventgrid-topics-topic.bicep"]
    assert len(module.params) == 3 + 60 + 1  # name, location, tags; the values; one object of principals
    assert [r.copies for r in module.resources if r.loop is not None] == [199]


def test_a_resource_read_by_more_than_64_attrs_outputs_them_as_one_object() -> None:
    project = synthesize(senders_per_queue("queues", 70))  # validated: 70 outputs would be ML210
    module = project.modules["modules/servicebus-namespaces-bus.bicep"]
    (folded,) = module.outputs
    assert (folded.name, folded.type) == ("attrs", "object")
    assert "  busQ69Name: busQ69.name\n" in folded.value.text
    call = next(c for c in project.main.modules if c.symbol == "app_69")
    assert str(call.params["queue"]) == "bus.outputs.attrs.busQ69Name"
    # A stack within the limit keeps one output per attr.
    b = base("few")
    bus = Resource(b.stack, "bus", type="Microsoft.ServiceBus/namespaces@2024-01-01", sku="Standard")
    b.app("api", ingress="none", env={"BUS": bus.attr("name")})
    assert [o.name for o in synthesize(b.stack).modules["modules/servicebus-namespaces-bus.bicep"].outputs] == ["name"]


def test_a_role_on_each_of_hundreds_of_queues_reads_the_apps_ids_from_one_object() -> None:
    # 300 queues, each with a sender of its own: a principal parameter each (or an object per
    # queue and role) would pass 256 parameters, and 300 attr outputs 64.
    project = synthesize(senders_per_queue("fanout", 300))  # validated: no ML210
    module = project.modules["modules/servicebus-namespaces-bus.bicep"]
    assert [p.name for p in module.params] == ["name", "location", "tags", "skuName", "principalIds"]
    sender = next(r for r in module.resources if r.symbol == "app_7BusQ7AzureServiceBusDataSender")
    assert str(sender.body["properties"]["principalId"]) == "principalIds.app_7"  # type: ignore[index]
    calls = [c for f in (project.main, *project.modules.values()) for c in f.modules if c.symbol == "bus"]
    (call,) = calls  # in a grouping module: the stack has past 800 module calls
    ids = call.params["principalIds"]
    assert isinstance(ids, dict) and len(ids) == 300


def test_a_group_past_1_mb_is_split_again_with_half_the_budget() -> None:
    # 250 apps, each on 20 of 100 stores: calls of the shared app file that read different stores
    # form about a hundred loops in one group, each holding the file's template, where the size
    # estimate counted it once: the group came out at 1.7 MB, over Azure's 1 MB per resource.
    b = base("mesh")
    stores = [b.store(f"store-{i}") for i in range(100)]
    for a in range(250):
        app = b.app(f"app-{a}")
        for j in range(20):
            app.connect(stores[(a * 7 + j) % 100], access="read_write" if j % 2 else "read", env_name=f"STORE_{j}_URL")
    project = synthesize(b.stack)  # validated: ML210 checks every group's compiled size
    assert project.report is not None and not project.report.errors
    assert len([name for name in project.modules if name.startswith("group-")]) > 4  # more, smaller groups


def test_a_server_with_hundreds_of_entra_administrators_reads_them_from_one_object() -> None:
    # Two parameters per app (object id, name) pass 256 beside the server's own at 125 apps.
    b = base("pg")
    db = b.db()
    for i in range(130):
        b.app(f"app-{i}").connect(db)
    project = synthesize(b.stack)  # validated: no ML210
    module = project.modules["modules/postgresql-db.bicep"]
    assert [p.name for p in module.params][-1] == "administrators" and len(module.params) == 9
    admin = next(r for r in module.resources if r.symbol == "app_7Administrator")
    assert str(admin.body["name"]) == "administrators.app_7.id"
    # Still one at a time: each waits for the one before it.
    assert admin.depends_on == ("app_6Administrator",)


def test_a_resource_granted_to_900_apps_keeps_the_assignments_in_access_modules_beside_it() -> None:
    # 900 assignments and two resources would pass 800 deployments in the namespace's module.
    b = base("wide")
    bus = Resource(b.stack, "bus", type="Microsoft.ServiceBus/namespaces@2024-01-01", sku="Standard")
    jobs = Resource(bus, "jobs", type="Microsoft.ServiceBus/namespaces/queues@2024-01-01")
    for i in range(900):
        b.app(f"app-{i}", ingress="none").connect(jobs if i % 2 else bus, role="Azure Service Bus Data Sender")
    project = synthesize(b.stack)  # validated: no ML210
    own = project.modules["modules/servicebus-namespaces-bus.bicep"]
    assert [r.symbol for r in own.resources] == ["bus", "busJobs"]
    access = project.modules["modules/servicebus-namespaces-bus-access-2.bicep"]
    existing = [(r.symbol, r.existing, dict(r.body)) for r in access.resources if r.existing]
    assert [(s, e) for s, e, _ in existing] == [("bus", True), ("busJobs", True)]
    assert str(existing[1][2]["parent"]) == "bus" and existing[1][2]["name"] == "jobs"
    assert [p.name for p in access.params] == ["name", "principalIds"]
    assert access.deployments == 500
    assert project.modules["modules/servicebus-namespaces-bus-access-3.bicep"].deployments == 400
    # Each app waits on the module holding its assignment: beside it, on that module; in a later
    # group, on the group holding it.
    (home,) = [n for n, f in project.modules.items() if any(c.symbol == "busAccess3" for c in f.modules)]
    group_of = {c.file: c for c in project.main.modules}
    for name, file in project.modules.items():
        for call in file.modules:
            if call.file != "modules/container-app.bicep":
                continue
            if name == home:
                assert {"busAccess2", "busAccess3"} & set(call.depends_on), call.symbol
            else:  # a later group: it reads the home group's outputs or names it in dependsOn
                group = group_of[name]
                waits = set(group.depends_on) | refs_of(group.params.values())
                assert group_of[home].symbol in waits or group.symbol < group_of[home].symbol, name
    assert project.role_assignment_count == 900 + 900  # each app's AcrPull too
