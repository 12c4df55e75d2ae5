"""FastAPI dependencies giving routes what ``create_app`` built: settings and the storage service."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from momentloop_app.core.config import Settings
from momentloop_app.services.storage import StorageService


def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_storage(request: Request) -> StorageService:
    return cast(StorageService, request.app.state.storage)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StorageDep = Annotated[StorageService, Depends(get_storage)]
