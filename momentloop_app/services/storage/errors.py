"""Errors raised by the storage service; the HTTP layer maps each to one status code."""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every storage error."""


class InvalidStoragePath(StorageError):
    """The path is not a safe ``container/name`` (traversal, absolute, backslash, NUL, too long...)."""


class StorageNotFound(StorageError):
    """No such container or blob."""


class StorageLimitExceeded(StorageError):
    """An upload is larger than the allowed size; nothing was stored."""


class RangeNotSatisfiable(StorageError):
    """A byte range starts past the end of the blob."""

    def __init__(self, message: str, *, size: int) -> None:
        super().__init__(message)
        self.size = size


class StorageUnavailable(StorageError):
    """The storage cannot be reached or refused the request; the message carries no internals."""
