"""A construct of your own, used twice: each storefront is an app with its own blob store.

`Storefront` groups constructs the way a CDK construct does. Everything it creates is named
from its path below the stack (`shop/app` -> module container-app-shop-app.bicep, azd service
shop-app, parameters shopAppCpu, environment variables SHOP_APP_CPU), so two storefronts never
collide, and a name stays the same from one synth to the next.
"""

from momentloop_infra import (
    BlobStore,
    Construct,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    LogAnalytics,
    Stack,
)


class Storefront(Construct):
    """A public web app that reads and writes its own private blob store."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        environment: ContainerAppsEnvironment,
        registry: ContainerRegistry,
        port: int = 8000,
    ) -> None:
        super().__init__(scope, id)
        self.files = BlobStore(self, "files", containers=["uploads"])
        self.app = ContainerApp(
            self, "app", environment=environment, registry=registry, port=port, project="storefront"
        )
        self.app.connect(self.files, access="read_write")


stack = Stack("storefronts")
logs = LogAnalytics(stack, "logs")
env = ContainerAppsEnvironment(stack, "env", logs=logs)
registry = ContainerRegistry(stack, "registry")

shop = Storefront(stack, "shop", environment=env, registry=registry)
outlet = Storefront(stack, "outlet", environment=env, registry=registry, port=3000)
