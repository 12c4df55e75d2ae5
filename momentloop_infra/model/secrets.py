"""The one test for "this name says it holds a secret", for names a user chose (env= keys, overrides).

A name is split into words (`apiKey`, `API_KEY`, `api-key` -> api, key) and judged by how it ends:
`JWT_SECRET` and `administratorLoginPassword` are secrets, `passwordAuth` (a switch) and
`secretsSku` (a SKU) are not.
"""

from __future__ import annotations

import functools
import re

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
SECRET_WORDS = frozenset(
    {
        "password",
        "passwords",
        "passwd",
        "passphrase",
        "secret",
        "secrets",
        "token",
        "tokens",
        "credential",
        "credentials",
    }
)
SECRET_PAIRS = frozenset(
    {
        ("api", "key"),
        ("api", "keys"),
        ("private", "key"),
        ("secret", "key"),
        ("access", "key"),
        ("account", "key"),
        ("shared", "key"),
        ("signing", "key"),
        ("connection", "string"),
    }
)


def words(name: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(name)]


@functools.cache
def looks_secret(name: str) -> bool:
    found = words(name)
    if not found:
        return False
    if found[-1] in SECRET_WORDS or found[-1] in ("apikey", "privatekey", "connectionstring"):
        return True
    return len(found) > 1 and (found[-2], found[-1]) in SECRET_PAIRS
