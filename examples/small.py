"""The smallest useful stack: one app that reads and writes one blob store."""

from momentloop_infra import (
    BlobStore,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    LogAnalytics,
    Stack,
)

stack = Stack("small")
logs = LogAnalytics(stack, "logs")
env = ContainerAppsEnvironment(stack, "env", logs=logs)
registry = ContainerRegistry(stack, "registry")
store = BlobStore(stack, "files", containers=["files"])
app = ContainerApp(stack, "api", environment=env, registry=registry, port=8080)
app.connect(store, access="read_write")
