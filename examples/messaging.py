"""Two apps and a Service Bus queue: `orders-api` sends, `fulfilment` receives, and each holds only
its own role on the queue. The namespace and the queue are generic Resources, type-checked against
the bundled Azure types like every built-in construct."""

from momentloop_infra import (
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    LogAnalytics,
    Resource,
    Stack,
)

stack = Stack("messaging")
logs = LogAnalytics(stack, "logs")
env = ContainerAppsEnvironment(stack, "env", logs=logs)
registry = ContainerRegistry(stack, "registry")

bus = Resource(
    stack,
    "bus",
    type="Microsoft.ServiceBus/namespaces@2024-01-01",
    sku={"name": "Standard", "tier": "Standard"},
    properties={"disableLocalAuth": True, "minimumTlsVersion": "1.2", "publicNetworkAccess": "Enabled"},
)
orders = Resource(
    bus,
    "orders",
    type="Microsoft.ServiceBus/namespaces/queues@2024-01-01",
    properties={"maxDeliveryCount": 10, "lockDuration": "PT1M", "deadLetteringOnMessageExpiration": True},
)
where = {
    "SERVICEBUS_NAMESPACE": bus.attr("properties.serviceBusEndpoint"),
    "SERVICEBUS_QUEUE": orders.attr("name"),
}
sender = ContainerApp(stack, "orders-api", environment=env, registry=registry, port=8080)
sender.connect(orders, role="Azure Service Bus Data Sender", env=where)
receiver = ContainerApp(stack, "fulfilment", environment=env, registry=registry, ingress="none", env=where)
receiver.connect(orders, role="Azure Service Bus Data Receiver")
