"""FastAPI dependencies giving routes what ``create_app`` built: settings, the storage service and
the media URLs."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from momentloop_app.api.media_urls import MediaUrls
from momentloop_app.core.settings import Settings
from momentloop_app.services.storage import StorageService


def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_storage(request: Request) -> StorageService:
    return cast(StorageService, request.app.state.storage)


def get_media_urls(request: Request) -> MediaUrls:
    return cast(MediaUrls, request.app.state.media_urls)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StorageDep = Annotated[StorageService, Depends(get_storage)]
MediaUrlsDep = Annotated[MediaUrls, Depends(get_media_urls)]
