"""Storage: one service, two backends (local disk, Azure Blob Storage).

Build it with :func:`create_storage_service` (from settings) and use only :class:`StorageService`.
"""

from __future__ import annotations

from momentloop_app.services.storage.base import BlobInfo, BlobReader, StorageBackend
from momentloop_app.services.storage.errors import (
    InvalidStoragePath,
    RangeNotSatisfiable,
    StorageError,
    StorageLimitExceeded,
    StorageNotFound,
    StorageUnavailable,
)
from momentloop_app.services.storage.factory import create_storage_backend, create_storage_service
from momentloop_app.services.storage.paths import CONTAINERS, StoragePath, guess_content_type, parse_path
from momentloop_app.services.storage.service import StorageService

__all__ = [
    "CONTAINERS",
    "BlobInfo",
    "BlobReader",
    "InvalidStoragePath",
    "RangeNotSatisfiable",
    "StorageBackend",
    "StorageError",
    "StorageLimitExceeded",
    "StorageNotFound",
    "StoragePath",
    "StorageService",
    "StorageUnavailable",
    "create_storage_backend",
    "create_storage_service",
    "guess_content_type",
    "parse_path",
]
