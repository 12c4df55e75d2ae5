"""The built-in Azure roles the stack grants (GUIDs from azure-facts §2)."""

from __future__ import annotations

import functools
import re

import attrs

from momentloop_infra.field_repr import FieldRepr


@attrs.frozen(repr=False)
class Role(FieldRepr):
    name: str
    guid: str

    @property
    def symbol_suffix(self) -> str:
        """The name as a symbol's tail: `Storage Blob Data Reader` -> `StorageBlobDataReader`; any
        character a Bicep identifier cannot hold separates words (`SignalR/Web PubSub Contributor`)."""
        return _symbol_tail(self.name)


@functools.cache  # asked once per grant: a large stack asks for the same few roles thousands of times
def _symbol_tail(name: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", name) if word)


STORAGE_BLOB_DATA_CONTRIBUTOR = Role("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe")
STORAGE_BLOB_DATA_READER = Role("Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")
KEY_VAULT_SECRETS_USER = Role("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6")
ACR_PULL = Role("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d")
# What a DeployIdentity holds on the stack's resource group.
CONTRIBUTOR = Role("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c")
RBAC_ADMINISTRATOR = Role("Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168")
