"""The MomentLoop stack: what `momentloop-synth` writes into synth_out/ and azure.yaml.

Sizes follow the seed design: the minimum-cost set by default, the larger set under
`--profile scale-up`.
"""

from momentloop_infra import (
    BlobStore,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    DeployIdentity,
    KeyVault,
    LogAnalytics,
    PostgresFlexible,
    Stack,
)

stack = Stack("momentloop", deploy_workflow=True)  # also writes .github/workflows/deploy.yml

logs = LogAnalytics(stack, "monitoring")
env = ContainerAppsEnvironment(stack, "env", logs=logs)
registry = ContainerRegistry(stack, "registry", sku="Basic", profiles={"scale-up": {"sku": "Standard"}})
storage = BlobStore(
    stack,
    "storage",
    containers=["uploads", "styled", "videos", "exports", "thumbnails"],
    sku="Standard_LRS",
    profiles={"scale-up": {"sku": "Standard_GRS"}},
)
vault = KeyVault(
    stack,
    "vault",
    secrets=["google-client-id", "google-client-secret", "google-ai-api-key", "fal-key", "jwt-secret"],
)
db = PostgresFlexible(
    stack,
    "postgres",
    database="momentloop",
    sku="Standard_B1ms",
    storage_gb=32,
    high_availability="Disabled",
    profiles={"scale-up": {"sku": "Standard_D2s_v3", "high_availability": "ZoneRedundant"}},
)

backend = ContainerApp(
    stack,
    "backend",
    environment=env,
    registry=registry,
    port=8000,
    cpu=0.25,
    memory="0.5Gi",
    min_replicas=0,
    max_replicas=3,
    project=".",  # the backend's Dockerfile is at the repository root
    health_path="/healthz",
    ready_path="/readyz",
    env={"STORAGE_BACKEND": "azure"},
    profiles={"scale-up": {"cpu": 1.0, "memory": "2Gi", "min_replicas": 1, "max_replicas": 10}},
)
frontend = ContainerApp(
    stack,
    "frontend",
    environment=env,
    registry=registry,
    port=8080,  # the frontend image runs nginx unprivileged on 8080
    cpu=0.25,
    memory="0.5Gi",
    min_replicas=0,
    max_replicas=2,
    profiles={"scale-up": {"cpu": 0.5, "memory": "1Gi", "min_replicas": 1, "max_replicas": 5}},
)

# The identity .github/workflows/deploy.yml logs in as, in the GitHub environment 'production'
# (allow only main to deploy to it). No repository here: every fork is another one, and a guessed
# default would trust a stranger's workflow. Until the owner sets DEPLOY_REPOSITORY (then azd up),
# nobody can log in as it; the workflow passes its own.
DeployIdentity(stack, "deploy", repository=None, branch="main", environment="production")

backend.connect(storage, access="read_write")
backend.connect(vault)
backend.connect(db)
frontend.connect(backend)
