"""ContainerApp, one file per job: settings (keyword arguments and their rules), connect (the
app's side of connections), modules (identity, image read), body (the app's own module), app
(the construct that ties them together)."""

from momentloop_infra.constructs.container_app.app import ContainerApp
from momentloop_infra.constructs.container_app.settings import ContainerAppArgs, ContainerAppSettings

__all__ = ["ContainerApp", "ContainerAppArgs", "ContainerAppSettings"]
