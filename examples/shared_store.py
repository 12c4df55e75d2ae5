"""Two apps sharing one blob store: an ingest API that writes, a gallery that only reads.

Shows what the MomentLoop stack does not: least privilege per connection (Storage Blob Data
Contributor for the writer, Storage Blob Data Reader for the reader), an internal-only app, and
one app finding another through its URL.
"""

from momentloop_infra import (
    BlobStore,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    LogAnalytics,
    Stack,
)

stack = Stack("gallery")
logs = LogAnalytics(stack, "logs", retention_days=60)
env = ContainerAppsEnvironment(stack, "env", logs=logs)
registry = ContainerRegistry(stack, "registry")
photos = BlobStore(stack, "photos", containers=["originals", "previews"], access_tier="Cool")

ingest = ContainerApp(stack, "ingest", environment=env, registry=registry, port=8000, ingress="internal")
gallery = ContainerApp(stack, "gallery", environment=env, registry=registry, port=3000, max_replicas=5)

ingest.connect(photos, access="read_write")
gallery.connect(photos, access="read")
gallery.connect(ingest)
