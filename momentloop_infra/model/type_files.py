"""Where the bundled Azure type definitions live: one file per `Type@apiVersion`, and an index."""

from __future__ import annotations

INDEX = "index.json"


def type_file_name(type_ref: str) -> str:
    """'Microsoft.ServiceBus/namespaces/queues@2024-01-01' -> 'Microsoft.ServiceBus.namespaces.queues@2024-01-01.json'
    (a flat folder: every name is a valid file name)."""
    return type_ref.replace("/", ".") + ".json"
