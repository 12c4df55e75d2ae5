"""The app's Azure identity, shared by Blob Storage and PostgreSQL (Entra tokens)."""

from __future__ import annotations

from momentloop_app.core.settings.base import Section


class IdentitySettings(Section):
    # The client id of the app's user-assigned managed identity (DefaultAzureCredential picks it up).
    azure_client_id: str | None = None
