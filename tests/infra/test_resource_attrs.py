"""attr() readers the first tests did not cover: typed values in an app's env, reads inside the
same module, strings built from an attr, another stack's resource, mistaken paths, keys."""

from __future__ import annotations

import pytest

from momentloop_infra import Resource, Stack, StackError, synthesize
from tests.infra.builders import Base, base
from tests.infra.support import files_of

NAMESPACE = "Microsoft.ServiceBus/namespaces@2024-01-01"
QUEUE = "Microsoft.ServiceBus/namespaces/queues@2024-01-01"
STORAGE = "Microsoft.Storage/storageAccounts@2024-01-01"
REDIS = "Microsoft.Cache/redis@2024-11-01"
SECURE_STORAGE = {
    "allowBlobPublicAccess": False,
    "allowSharedKeyAccess": False,
    "minimumTlsVersion": "TLS1_2",
    "supportsHttpsTrafficOnly": True,
}


def cosmos_account(b: Base) -> Resource:
    return Resource(
        b.stack,
        "docs",
        type="Microsoft.DocumentDB/databaseAccounts@2024-11-15",
        properties={"databaseAccountOfferType": "Standard", "locations": [{"locationName": "westeurope"}]},
    )


def problems_of(stack: Stack) -> list[tuple[str, str, object, str]]:
    with pytest.raises(StackError) as raised:
        synthesize(stack)
    return [(p.path, p.field, p.value, p.message) for p in raised.value.problems]


def test_an_int_bool_or_object_attr_reaches_an_app_env_as_text() -> None:
    b = base()
    files = Resource(b.stack, "files", type=STORAGE, kind="StorageV2", sku="Standard_LRS", properties=SECURE_STORAGE)
    b.app("api").connect(
        files,
        role="Storage Blob Data Reader",
        env={"ENDPOINTS": files.attr("properties.primaryEndpoints"), "HNS": files.attr("properties.isHnsEnabled")},
    )
    out = files_of(b.stack)
    module = out["modules/storage-storage-accounts-files.bicep"]
    # The outputs keep their types; the app's parameters are strings, given through string().
    assert "output primaryEndpoints object = files.properties.primaryEndpoints" in module
    assert "output isHnsEnabled bool = files.properties.isHnsEnabled" in module
    assert "    endpoints: string(files.outputs.primaryEndpoints)\n" in out["main.bicep"]
    assert "    hns: string(files.outputs.isHnsEnabled)\n" in out["main.bicep"]
    app = out["modules/container-app-api.bicep"]
    assert "param endpoints string\n" in app and "param hns string\n" in app


def test_an_attr_read_in_the_same_module_reads_the_resource_not_the_modules_own_output() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    dead = Resource(bus, "dead-letters", type=QUEUE)
    Resource(bus, "orders", type=QUEUE, properties={"forwardDeadLetteredMessagesTo": dead.attr("name")})
    out = files_of(b.stack)
    module = out["modules/servicebus-namespaces-bus.bicep"]
    assert "    forwardDeadLetteredMessagesTo: busDeadLetters.name\n" in module
    call = out["main.bicep"].split("module bus ", 1)[1].split("\n}\n", 1)[0]
    assert "bus.outputs" not in call  # a module given its own output would be a cycle


def test_a_string_built_with_plus_is_one_interpolation_and_an_f_string_is_refused() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    b.app("api", env={"SB_FQDN": "amqps://" + bus.attr("name") + ".servicebus.windows.net"})
    main = files_of(b.stack)["main.bicep"]
    assert "    sbFqdn: 'amqps://${bus.outputs.name}.servicebus.windows.net'\n" in main
    with pytest.raises(TypeError, match="build the string with \\+"):
        f"{bus.attr('name')}.servicebus.windows.net"  # the formatting is what raises


def test_an_attr_of_another_stacks_resource_is_a_problem_naming_the_variable() -> None:
    b = base()
    Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")  # the same id as theirs
    theirs = Resource(Stack("partner"), "bus", type=NAMESPACE, sku="Standard")
    b.app("api", env={"PARTNER_BUS": theirs.attr("properties.serviceBusEndpoint")})
    ((path, field, value, message),) = problems_of(b.stack)
    assert (path, field, value) == ("demo/api", "env.PARTNER_BUS", "partner/bus")
    assert "another stack" in message


def test_a_mistaken_attr_path_is_a_problem_with_the_close_match() -> None:
    b = base()
    cache = Resource(b.stack, "cache", type=REDIS, properties={"sku": {"name": "Basic", "family": "C", "capacity": 0}})
    b.app("api", env={"REDIS_HOST": cache.attr("properties.hostname")})
    ((path, field, value, message),) = problems_of(b.stack)
    assert (path, field, value) == ("demo/cache", "attr", "properties.hostname")
    assert message.endswith("did you mean 'hostName'?")


def test_two_children_of_one_parent_may_not_share_a_name() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    Resource(bus, "orders", type=QUEUE)
    Resource(bus, "q2", type=QUEUE, name="orders")
    ((path, field, value, message),) = problems_of(b.stack)
    assert (path, field, value) == ("demo/bus/q2", "name", "orders")
    assert "demo/bus/orders has that name under demo/bus already" in message


def test_connecting_again_with_the_same_role_adds_its_variables() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    app = b.app("api")
    first = app.connect(
        bus, role="Azure Service Bus Data Sender", env={"SB_HOST": bus.attr("properties.serviceBusEndpoint")}
    )
    second = app.connect(bus, role="Azure Service Bus Data Sender", env={"SB_NAME": bus.attr("name")})
    assert [v.name for v in second.env] == ["SB_HOST", "SB_NAME"] and len(first.grants) == len(second.grants) == 1
    module = files_of(b.stack)["modules/container-app-api.bicep"]
    assert "name: 'SB_HOST'" in module and "name: 'SB_NAME'" in module


def test_an_attr_as_an_object_key_in_an_override_becomes_a_parameter() -> None:
    b = base()
    identity = Resource(b.stack, "job-id", type="Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31")
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    bus.override("identity", {"type": "UserAssigned", "userAssignedIdentities": {identity.attr("id"): {}}})
    module = files_of(b.stack)["modules/servicebus-namespaces-bus.bicep"]
    assert "param jobIdId string\n" in module
    assert "    userAssignedIdentities: {\n      '${jobIdId}': {}\n    }\n" in module


def test_a_data_plane_role_is_explained_and_principal_id_assigns_it() -> None:
    b = base()
    account = cosmos_account(b)
    app = b.app("api")
    app.connect(account, role="Cosmos DB Built-in Data Contributor")
    ((_, field, _, message),) = problems_of(b.stack)
    assert field == "connect.role"
    assert "is an Azure Cosmos DB data-plane role, not an Azure RBAC role" in message
    assert "'/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'" in message

    b = base()
    account = cosmos_account(b)
    app = b.app("api", env={"COSMOS_ENDPOINT": account.attr("properties.documentEndpoint")})
    Resource(
        account,
        "api-writer",
        type="Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15",
        name="8c2f6e4e-0d55-4e2a-9a55-6a8f9f1b2c01",
        properties={
            "roleDefinitionId": account.attr("id") + "/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002",
            "principalId": app.principal_id,
            "scope": account.attr("id"),
        },
    )
    out = files_of(b.stack)
    module = out["modules/documentdb-database-accounts-docs.bicep"]
    assert "    roleDefinitionId: '${docs.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'\n" in module
    assert "    scope: docs.id\n" in module
    assert "param apiIdentityPrincipalId string\n" in module
    assert "    principalId: apiIdentityPrincipalId\n" in module
    call = out["main.bicep"].split("module docs ", 1)[1].split("\n}\n", 1)[0]
    # The account's module waits on the app's identity only: the app reads the account.
    assert "apiIdentity.outputs.principalId" in call and "api.outputs" not in call


def test_a_misspelt_type_is_warned_with_the_bundled_type_it_is_close_to() -> None:
    b = base()
    Resource(b.stack, "bus", type="Microsoft.ServiceBus/namespace@2024-01-01", sku="Standard")
    report = synthesize(b.stack).report
    assert report is not None
    (warning,) = [f for f in report.warnings if f.rule == "ML001"]
    assert warning.message.endswith("did you mean 'Microsoft.ServiceBus/namespaces'?")
    # A misspelt provider is matched too; a provider the bundle does not hold gets nothing of another's.
    b = base()
    Resource(b.stack, "bus", type="Microsoft.SeviceBus/namespaces@2024-01-01", sku="Standard")
    report = synthesize(b.stack).report
    assert report is not None
    (warning,) = [f for f in report.warnings if f.rule == "ML001"]
    assert warning.message.endswith("did you mean 'Microsoft.ServiceBus/namespaces'?")
    b = base()
    Resource(b.stack, "site", type="Microsoft.Web/sites@2024-04-01")
    report = synthesize(b.stack).report
    assert report is not None
    (warning,) = [f for f in report.warnings if f.rule == "ML001"]
    assert "did you mean" not in warning.message


def test_env_name_on_a_resource_connection_is_a_problem_not_ignored() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    b.app("api").connect(bus, role="Azure Service Bus Data Sender", env_name="BUS_URL")
    ((path, field, value, message),) = problems_of(b.stack)
    assert (path, field, value) == ("demo/api", "connect.env_name", "BUS_URL")
    assert "env={...}" in message


def test_two_strings_built_alike_get_parameters_of_their_own() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    other = Resource(b.stack, "other", type=NAMESPACE, sku="Standard")
    Resource(
        other,
        "q1",
        type=QUEUE,
        properties={"forwardTo": bus.attr("name") + "-x", "forwardDeadLetteredMessagesTo": bus.attr("name") + ".x"},
    )
    module = files_of(b.stack)["modules/servicebus-namespaces-other.bicep"]
    assert "    forwardTo: busNameX\n" in module and "    forwardDeadLetteredMessagesTo: busNameX2\n" in module


def test_a_sku_reading_another_resource_keeps_that_read_and_an_override_of_its_name_wins() -> None:
    b = base()
    source = Resource(b.stack, "source", type=NAMESPACE, sku={"name": "Premium", "capacity": 2})
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku={"name": "Premium", "capacity": source.attr("sku.capacity")})
    module = files_of(b.stack)["modules/servicebus-namespaces-bus.bicep"]
    assert "param sourceSkuCapacity int\n" in module
    assert "  sku: {\n    name: skuName\n    capacity: sourceSkuCapacity\n  }\n" in module
    bus.override("sku.name", "Standard")
    out = files_of(b.stack)
    assert "param skuName" not in out["modules/servicebus-namespaces-bus.bicep"]  # no parameter left unused
    assert "BUS_SKU" not in out["main.bicepparam"] and "SOURCE_SKU" in out["main.bicepparam"]


def test_a_resource_reading_itself_or_its_own_child_is_a_problem() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    orders = Resource(bus, "orders", type=QUEUE)
    bus.override("properties.alternateName", orders.attr("name"))
    ((path, field, value, message),) = problems_of(b.stack)
    assert (path, field, value) == ("demo/bus", "attr", "demo/bus/orders")
    assert "cycle" in message


def test_connecting_twice_with_the_same_env_sets_it_once() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    app = b.app("api")
    for _ in range(2):
        app.connect(
            bus, role="Azure Service Bus Data Sender", env={"SB_HOST": bus.attr("properties.serviceBusEndpoint")}
        )
    assert files_of(b.stack)["modules/container-app-api.bicep"].count("name: 'SB_HOST'") == 1


def test_a_string_built_from_an_attr_and_the_apps_principal_id() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    app = b.app("api")
    b.app("audit", env={"WHO": bus.attr("name") + "/" + app.principal_id})
    assert "    who: '${bus.outputs.name}/${apiIdentity.outputs.principalId}'\n" in files_of(b.stack)["main.bicep"]


def test_a_symbol_clash_is_one_problem_naming_the_id_that_makes_it() -> None:
    b = base()
    b.app("api")
    Resource(b.stack, "api-identity", type="Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31")
    ((path, field, value, message),) = problems_of(b.stack)
    assert (path, field, value) == ("demo/api", "id", "api")
    assert "yields the Bicep symbol 'apiIdentity', already used by demo/api-identity" in message


def test_the_folded_output_leaves_the_text_of_strings_alone() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    queues = [Resource(bus, f"q{i}", type=QUEUE) for i in range(70)]
    b.app("api", env={"NOTE": queues[0].attr("name") + " (not bus.outputs.busQ1Name)"})
    for q in queues[1:]:
        b.app(f"app-{q.node.id}", ingress="none", env={"QUEUE": q.attr("name")})
    # Validated: read-like text inside a string is no read of an output (ML022 looks at code only).
    call = next(c for c in synthesize(b.stack).main.modules if c.symbol == "api")
    assert str(call.params["note"]) == "'${bus.outputs.attrs.busQ0Name} (not bus.outputs.busQ1Name)'"


def test_principal_id_builds_strings_from_either_side() -> None:
    b = base()
    bus = Resource(b.stack, "bus", type=NAMESPACE, sku="Standard")
    app = b.app("api")
    b.app("audit", env={"WHO": app.principal_id + "@" + bus.attr("name")})
    assert "    who: '${apiIdentity.outputs.principalId}@${bus.outputs.name}'\n" in files_of(b.stack)["main.bicep"]


def test_a_lifted_value_never_takes_an_apps_principal_parameter_name() -> None:
    b = base()
    source = Resource(b.stack, "web-principal", type="Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31")
    topic = Resource(
        b.stack, "topic", type="Microsoft.EventGrid/topics@2025-02-15", properties={"source": source.attr("id")}
    )
    b.app("web").connect(topic, role="Reader")
    module = files_of(b.stack)["modules/eventgrid-topics-topic.bicep"]
    # The value read keeps its name; the app's principal parameter takes the next one.
    assert "param webPrincipalId string\n" in module and "    source: webPrincipalId\n" in module
    assert "param webPrincipalId2 string\n" in module and "principalId: webPrincipalId2\n" in module


def test_connecting_twice_with_two_values_for_one_variable_says_so() -> None:
    b = base()
    store = b.store()
    app = b.app("api")
    app.connect(store, env={"MODE": "a"})
    app.connect(store, env={"MODE": "b"})
    ((path, field, value, message),) = problems_of(b.stack)
    assert (path, field, value) == ("demo/api", "env", "MODE")
    assert message == "set twice, to two values, by the connection to demo/store; give it once"


def test_resources_reading_each_other_round_are_one_problem() -> None:
    b = base()
    one = Resource(b.stack, "one", type=NAMESPACE, sku="Standard")
    two = Resource(b.stack, "two", type=NAMESPACE, sku="Standard")
    three = Resource(b.stack, "three", type=NAMESPACE, sku="Standard")
    one.override("properties.alternateName", two.attr("name"))
    two.override("properties.alternateName", three.attr("name"))
    Resource(three, "q", type=QUEUE, properties={"forwardTo": one.attr("name")})  # a child's read counts
    ((path, field, value, message),) = problems_of(b.stack)
    assert (path, field, value) == ("demo/one", "attr", "demo/one -> demo/two -> demo/three -> demo/one")
    assert "none can deploy" in message


def test_an_override_path_with_a_list_index_says_to_override_the_whole_list() -> None:
    b = base()
    b.app("api").override("properties.template.containers[0].args", ["--debug"])
    ((path, field, value, message),) = problems_of(b.stack)
    assert (path, field, value) == ("demo/api", "override", "properties.template.containers[0].args")
    assert (
        message
        == "paths take no list indexes; override the whole list: override('properties.template.containers', [...])"
    )


def test_a_construct_without_a_stack_is_refused_where_it_is_made() -> None:
    # It would belong to no stack, so nothing would ever synthesize it.
    with pytest.raises(TypeError, match=r"Resource\(None, 'bus'\): the first argument is the Stack"):
        Resource(None, "bus", type=NAMESPACE)  # type: ignore[arg-type]
