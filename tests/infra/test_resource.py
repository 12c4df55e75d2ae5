"""The generic Resource: children, attr() references, roles by name, type checking."""

from __future__ import annotations

import json
import re

import pytest

from momentloop_infra import Resource, StackError, synthesize
from momentloop_infra.model.package_data import data_text
from momentloop_infra.model.role_catalogue import builtin_role
from tests.infra.builders import Base, base
from tests.infra.support import files_of, load_example, project_of

NAMESPACE = "Microsoft.ServiceBus/namespaces@2024-01-01"
QUEUE = "Microsoft.ServiceBus/namespaces/queues@2024-01-01"


def bus_and_queue(b: Base) -> tuple[Resource, Resource]:
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard", properties={"disableLocalAuth": True})
    queue = Resource(bus, "orders", type=QUEUE, properties={"maxDeliveryCount": 5})
    return bus, queue


def test_a_child_resource_lives_in_its_parents_module_with_parent_and_a_relative_name() -> None:
    b = base()
    bus_and_queue(b)
    files = files_of(b.stack)
    module = files["modules/servicebus-namespaces-bus.bicep"]
    assert (
        "resource bus 'Microsoft.ServiceBus/namespaces@2024-01-01' = {\n  name: name\n  location: location\n" in module
    )
    assert (
        "resource busOrders 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {\n  parent: bus\n  name: 'orders'\n"
        in module
    )
    # A queue takes no region or tags of its own (read-only in its type): none are written.
    queue_text = module.split("resource busOrders", 1)[1]
    assert "location" not in queue_text and "tags" not in queue_text
    # The SKU's name is a main.bicep parameter, as every construct's is: `azd env set BUS_SKU Premium`.
    assert "  sku: {\n    name: skuName\n  }\n" in module
    assert "param busSku = readEnvironmentVariable('BUS_SKU', 'Standard')\n" in files["main.bicepparam"]
    assert "    skuName: busSku\n" in files["main.bicep"]
    # The name comes from azd's abbreviation for the type; the child has no module of its own.
    assert "name: '${abbrs.serviceBusNamespaces}bus-${resourceToken}'" in files["main.bicep"]
    assert not any("orders" in path for path in files if path.startswith("modules/"))
    assert project_of(b.stack).names["demo/bus"].sample().startswith("sb-bus-")


def test_attr_in_app_env_and_in_connect_env_creates_the_output_and_the_dependency() -> None:
    b = base()
    bus, queue = bus_and_queue(b)
    app = b.app("worker", env={"SB_HOST": bus.attr("properties.serviceBusEndpoint"), "MODE": "batch"})
    app.connect(queue, role="Azure Service Bus Data Receiver", env={"SB_QUEUE": queue.attr("name")})
    files = files_of(b.stack)
    module = files["modules/servicebus-namespaces-bus.bicep"]
    assert "output serviceBusEndpoint string = bus.properties.serviceBusEndpoint" in module
    assert "output busOrdersName string = busOrders.name" in module
    main = files["main.bicep"]
    assert "    sbHost: bus.outputs.serviceBusEndpoint\n" in main
    assert "    sbQueue: bus.outputs.busOrdersName\n" in main
    # main.bicep declares the namespace's module before the app that reads it (Bicep infers dependsOn).
    assert main.index("module bus ") < main.index("module worker ")
    app_module = files["modules/container-app-worker.bicep"]
    assert "name: 'SB_HOST'\n              value: sbHost" in app_module
    assert "name: 'MODE'\n              value: 'batch'" in app_module


def test_attr_in_another_resources_properties_becomes_a_module_parameter() -> None:
    b = base()
    bus, _ = bus_and_queue(b)
    Resource(
        b.stack,
        "topics-bus",
        type=NAMESPACE,
        sku="Standard",
        properties={"alternateName": bus.attr("name")},
    )
    files = files_of(b.stack)
    other = files["modules/servicebus-namespaces-topics-bus.bicep"]
    assert "@description('bus.outputs.name in main.bicep.')\nparam busName string\n" in other
    assert "    alternateName: busName\n" in other
    assert "output name string = bus.name" in files["modules/servicebus-namespaces-bus.bicep"]
    main = files["main.bicep"]
    assert "    busName: bus.outputs.name\n" in main
    assert main.index("module bus ") < main.index("module topicsBus ")


def test_a_role_by_name_is_granted_on_the_resource_in_its_module_before_the_app() -> None:
    project = project_of(load_example("messaging.py"))
    on_queue = {(g.principal, g.role.name) for g in project.grants if g.target == "messaging/bus/orders"}
    assert on_queue == {
        ("messaging/orders-api", "Azure Service Bus Data Sender"),
        ("messaging/fulfilment", "Azure Service Bus Data Receiver"),
    }
    files = files_of(load_example("messaging.py"))
    module = files["modules/servicebus-namespaces-bus.bicep"]
    sender = builtin_role("Azure Service Bus Data Sender")
    assert sender is not None and sender.guid == "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39"
    assert f"name: guid(busOrders.id, ordersApiPrincipalId, '{sender.guid}')" in module
    assert module.count("principalType: 'ServicePrincipal'") == 2
    main = files["main.bicep"]
    for app in ("ordersApi", "fulfilment"):
        call = main.split(f"module {app} ", 1)[1].split("\n}\n", 1)[0]
        assert "bus.outputs." in call  # waits on the namespace module, which holds its role
        assert main.index("module bus ") < main.index(f"module {app} ")


def test_a_resource_granted_to_hundreds_of_apps_grants_each_role_as_one_loop() -> None:
    # 300 apps on one queue: one principal-id parameter each would pass ARM's 256 (ML210).
    b = base("wide")
    bus = Resource(b.stack, "bus", type="Microsoft.ServiceBus/namespaces@2024-01-01", sku={"name": "Standard"})
    queue = Resource(bus, "jobs", type="Microsoft.ServiceBus/namespaces/queues@2024-01-01")
    for i in range(300):
        role = "Azure Service Bus Data Sender" if i % 2 else "Azure Service Bus Data Receiver"
        b.app(f"app-{i}", ingress="none").connect(queue, role=role)
    project = synthesize(b.stack)  # validated: no ML210
    module = project.modules["modules/servicebus-namespaces-bus.bicep"]
    assert [p.name for p in module.params] == [
        "name",
        "location",
        "tags",
        "skuName",
        "busJobsAzureServiceBusDataReceiverPrincipalIds",
        "busJobsAzureServiceBusDataSenderPrincipalIds",
    ]
    loops = {r.symbol: r for r in module.resources if r.loop is not None}
    assert {s: r.copies for s, r in loops.items()} == {
        "busJobsAzureServiceBusDataReceiverAssignments": 150,
        "busJobsAzureServiceBusDataSenderAssignments": 150,
    }
    sender = loops["busJobsAzureServiceBusDataSenderAssignments"]
    assert str(sender.body["scope"]) == "busJobs"  # on the queue, not the namespace
    assert project.role_assignment_count == 300 + 300  # each app's AcrPull too
    assert len([g for g in project.grants if g.target == "wide/bus/jobs"]) == 300


def test_an_unknown_role_is_a_problem_with_the_close_matches() -> None:
    b = base()
    _, queue = bus_and_queue(b)
    b.app("api").connect(queue, role="Azure Service Bus Data Sendr")
    with pytest.raises(StackError) as raised:
        synthesize(b.stack)
    (problem,) = raised.value.problems
    assert problem.path == "demo/api" and problem.field == "connect.role"
    assert "is not an Azure built-in role; did you mean 'Azure Service Bus Data Sender'" in problem.message


def test_connecting_to_a_resource_without_a_role_is_refused() -> None:
    b = base()
    _, queue = bus_and_queue(b)
    b.app("api").connect(queue)
    with pytest.raises(StackError, match="name the built-in role the app needs on it"):
        synthesize(b.stack)


def test_a_type_not_in_the_bundle_is_a_warning_that_its_body_was_not_checked() -> None:
    b = base()
    Resource(b.stack, "grid", type="Microsoft.EventGrid/topics@2025-02-15", properties={"anything": 1})
    project = project_of(b.stack)
    assert project.report is not None
    (warning,) = [f for f in project.report.warnings if f.rule == "ML001"]
    assert warning.path == "demo/grid" and warning.level == "warning"
    assert "its body was not checked" in warning.message and "not in the bundle" in warning.message
    assert "anything: 1" in files_of(b.stack)["modules/eventgrid-topics-grid.bicep"]


def test_a_bundled_type_is_checked_like_every_built_in_resource() -> None:
    b = base()
    Resource(b.stack, "bus", type=NAMESPACE, sku="Standard", properties={"disableLocalAuht": True})
    with pytest.raises(StackError) as raised:
        synthesize(b.stack)
    assert any(p.field == "properties.disableLocalAuht" for p in raised.value.problems), raised.value


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda b: Resource(b.stack, "bus", type="ServiceBus namespaces"), "give the type and API version as"),
        (
            lambda b: Resource(Resource(b.stack, "bus", type=NAMESPACE), "db", type="Microsoft.Cache/redis@2024-11-01"),
            "a child's type is its parent's type plus one segment",
        ),
    ],
    ids=["malformed-type", "child-of-the-wrong-parent"],
)
def test_resource_mistakes_are_problems(make, expected: str) -> None:  # type: ignore[no-untyped-def]
    b = base()
    make(b)
    with pytest.raises(StackError, match=expected):
        synthesize(b.stack)


def test_override_and_explicit_name_apply_to_a_resource() -> None:
    b = base()
    bus, _ = bus_and_queue(b)
    bus.override("properties.minimumTlsVersion", "1.2")
    Resource(
        b.stack,
        "cache",
        type="Microsoft.Cache/redis@2024-11-01",
        name="my-cache",
        properties={"sku": {"name": "Basic", "family": "C", "capacity": 0}},
    )
    files = files_of(b.stack)
    assert "    minimumTlsVersion: '1.2'\n" in files["modules/servicebus-namespaces-bus.bicep"]
    assert "name: 'my-cache'" in files["main.bicep"]


def test_a_resource_takes_a_scanner_suppression_with_its_reason() -> None:
    b = base()
    bus, _ = bus_and_queue(b)
    bus.suppress("CKV_AZURE_204", "no virtual network in this design; Entra ID only")
    bus.suppress("CKV_AZURE_201", "short")
    with pytest.raises(StackError, match="at least 10 characters"):
        synthesize(b.stack)
    b = base()
    bus, _ = bus_and_queue(b)
    bus.suppress("CKV_AZURE_204", "no virtual network in this design; Entra ID only")
    module = files_of(b.stack)["modules/servicebus-namespaces-bus.bicep"]
    assert "  // checkov:skip=CKV_AZURE_204: no virtual network in this design; Entra ID only\n  name: name\n" in module


def test_a_child_resources_suppressions_reach_validation() -> None:
    b = base()
    _, queue = bus_and_queue(b)
    queue.suppress("ML204", "queues take no tags of their own; the namespace carries them")
    project = project_of(b.stack)
    assert project.suppressions["demo/bus/orders"] == {
        "ML204": "queues take no tags of their own; the namespace carries them"
    }
    assert project.report is not None
    assert any(f.rule == "ML900" and f.path == "demo/bus/orders" for f in project.report.warnings)


def test_every_built_in_role_names_a_valid_bicep_symbol() -> None:
    # The suffix starts a role loop's symbols (`acrPullAssignments`) and ends per-app ones.
    names = [entry["name"] for entry in json.loads(data_text("azure-roles.json"))["roles"]]
    assert len(names) > 500
    suffixes = {name: role.symbol_suffix for name in names if (role := builtin_role(name)) is not None}
    assert len(suffixes) == len(names)
    assert [n for n, s in suffixes.items() if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", s)] == []
    assert suffixes["SignalR/Web PubSub Contributor"] == "SignalRWebPubSubContributor"
    assert suffixes["Azure Service Bus Data Sender"] == "AzureServiceBusDataSender"
