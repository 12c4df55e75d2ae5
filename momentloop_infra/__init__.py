"""momentloop_infra: Azure infrastructure as Python constructs, synthesized into an azd project."""

from momentloop_infra.connections import Connection, EnvVar, RoleGrant
from momentloop_infra.construct import Construct
from momentloop_infra.constructs.blob_store import BlobStore
from momentloop_infra.constructs.container_app import ContainerApp
from momentloop_infra.constructs.environment import ContainerAppsEnvironment
from momentloop_infra.constructs.key_vault import KeyVault
from momentloop_infra.constructs.monitoring import LogAnalytics
from momentloop_infra.constructs.postgres import PostgresFlexible
from momentloop_infra.constructs.registry import ContainerRegistry
from momentloop_infra.constructs.stack import Stack, SynthResult
from momentloop_infra.errors import Problem, StackError

__all__ = [
    "BlobStore",
    "Connection",
    "Construct",
    "ContainerApp",
    "ContainerAppsEnvironment",
    "ContainerRegistry",
    "EnvVar",
    "KeyVault",
    "LogAnalytics",
    "PostgresFlexible",
    "Problem",
    "RoleGrant",
    "Stack",
    "StackError",
    "SynthResult",
]
