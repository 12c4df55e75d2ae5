"""momentloop_infra: Azure infrastructure as Python constructs, synthesized into an azd project.

The public names load on first use: importing the package alone (as the backend does for its
errors) loads none of the constructs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from momentloop_infra.construct import Construct
    from momentloop_infra.constructs.blob_store import BlobStore
    from momentloop_infra.constructs.connection import Connectable, Connection, EnvVar, Principal, RoleGrant
    from momentloop_infra.constructs.container_app import ContainerApp
    from momentloop_infra.constructs.deploy_identity import DeployIdentity
    from momentloop_infra.constructs.environment import ContainerAppsEnvironment
    from momentloop_infra.constructs.key_vault import KeyVault
    from momentloop_infra.constructs.monitoring import LogAnalytics
    from momentloop_infra.constructs.postgres import PostgresFlexible
    from momentloop_infra.constructs.registry import ContainerRegistry
    from momentloop_infra.constructs.resource import Resource
    from momentloop_infra.errors import Problem, StackError, StackWarning
    from momentloop_infra.model.project import Project
    from momentloop_infra.pipeline.synthesize import synthesize
    from momentloop_infra.stack import Stack, SynthResult

_WHERE = {
    "BlobStore": "constructs.blob_store",
    "Connectable": "constructs.connection",
    "Connection": "constructs.connection",
    "Construct": "construct",
    "ContainerApp": "constructs.container_app",
    "ContainerAppsEnvironment": "constructs.environment",
    "ContainerRegistry": "constructs.registry",
    "DeployIdentity": "constructs.deploy_identity",
    "EnvVar": "constructs.connection",
    "KeyVault": "constructs.key_vault",
    "LogAnalytics": "constructs.monitoring",
    "PostgresFlexible": "constructs.postgres",
    "Principal": "constructs.connection",
    "Problem": "errors",
    "Project": "model.project",
    "Resource": "constructs.resource",
    "RoleGrant": "constructs.connection",
    "Stack": "stack",
    "StackError": "errors",
    "StackWarning": "errors",
    "SynthResult": "stack",
    "synthesize": "pipeline.synthesize",
}

__all__ = [
    "BlobStore",
    "Connectable",
    "Connection",
    "Construct",
    "ContainerApp",
    "ContainerAppsEnvironment",
    "ContainerRegistry",
    "DeployIdentity",
    "EnvVar",
    "KeyVault",
    "LogAnalytics",
    "PostgresFlexible",
    "Principal",
    "Problem",
    "Project",
    "Resource",
    "RoleGrant",
    "Stack",
    "StackError",
    "StackWarning",
    "SynthResult",
    "synthesize",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'momentloop_infra' has no attribute {name!r}")
    return getattr(importlib.import_module(f"momentloop_infra.{_WHERE[name]}"), name)
