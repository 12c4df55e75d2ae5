"""Bicep symbols and environment-variable names from construct ids and setting names."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=16384)  # bounded: keyed by construct ids, settings and keys
def camel(text: str) -> str:
    """`media-store` -> `mediaStore`; a word starting with a digit keeps a `_` (`store-1` -> `store_1`),
    so two different ids never give the same symbol."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]
    if not words:
        return text
    rest = ("_" + w if w[:1].isdigit() else w[:1].upper() + w[1:] for w in words[1:])
    return words[0].lower() + "".join(rest)


@functools.lru_cache(maxsize=16384)  # bounded: keyed by construct ids, settings and keys
def field_env(field: str) -> str:
    """`retentionDays` -> `RETENTION_DAYS`."""
    return env_name(re.sub(r"(?<!^)(?=[A-Z])", "_", field))


@functools.lru_cache(maxsize=16384)  # bounded: keyed by construct ids, settings and keys
def env_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()


def joined(*words: str) -> str:
    """('busOrders', 'name') -> 'busOrdersName': camel case that keeps each word's own capitals
    (empty words left out: ('', 'AcrPull') -> 'acrPull')."""
    first, *rest = [w for w in words if w]
    return first[:1].lower() + first[1:] + "".join(w[:1].upper() + w[1:] for w in rest)
