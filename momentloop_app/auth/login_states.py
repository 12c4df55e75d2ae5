"""Sign-ins in progress, keyed by their OAuth ``state``, each usable once.

``take`` removes the state as it reads it, atomically, so a replayed callback finds nothing. With a
database the states live in PostgreSQL (``login_states``): the login may start on one replica and
come back on another, and a replay fails on every replica. Without one they live in the process
(one replica: development).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine, delete, func, insert

from momentloop_app.db.models import LoginState

# The in-process store forgets the oldest beyond this many pending sign-ins (bounded memory).
MEMORY_LIMIT = 10_000


@dataclass(frozen=True)
class PendingLogin:
    browser_hash: str  # SHA-256 of the cookie set on the browser that started the sign-in
    code_verifier: str  # PKCE
    nonce: str
    redirect_uri: str
    next_path: str


class LoginStates(Protocol):
    async def put(self, state: str, login: PendingLogin, ttl_seconds: int) -> None: ...

    async def take(self, state: str) -> PendingLogin | None:
        """The login started with ``state``, removed; ``None`` if unknown, already taken or expired."""
        ...


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class MemoryLoginStates:
    def __init__(self, *, limit: int = MEMORY_LIMIT) -> None:
        self._pending: dict[str, tuple[float, PendingLogin]] = {}
        self._lock = threading.Lock()
        self._limit = limit

    async def put(self, state: str, login: PendingLogin, ttl_seconds: int) -> None:
        now = time.monotonic()
        with self._lock:
            for key in [key for key, (expires, _) in self._pending.items() if expires <= now]:
                del self._pending[key]
            while len(self._pending) >= self._limit:
                del self._pending[next(iter(self._pending))]
            self._pending[digest(state)] = (now + ttl_seconds, login)

    async def take(self, state: str) -> PendingLogin | None:
        with self._lock:
            found = self._pending.pop(digest(state), None)
        if found is None or found[0] <= time.monotonic():
            return None
        return found[1]


class DatabaseLoginStates:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def put(self, state: str, login: PendingLogin, ttl_seconds: int) -> None:
        await asyncio.to_thread(self._put, digest(state), login, ttl_seconds)

    async def take(self, state: str) -> PendingLogin | None:
        return await asyncio.to_thread(self._take, digest(state))

    def _put(self, state_hash: str, login: PendingLogin, ttl_seconds: int) -> None:
        expires_at = datetime.now(UTC) + timedelta(seconds=ttl_seconds)
        with self._engine.begin() as connection:
            connection.execute(delete(LoginState).where(LoginState.expires_at < func.clock_timestamp()))
            connection.execute(
                insert(LoginState).values(
                    state_hash=state_hash,
                    browser_hash=login.browser_hash,
                    code_verifier=login.code_verifier,
                    nonce=login.nonce,
                    redirect_uri=login.redirect_uri,
                    next_path=login.next_path,
                    expires_at=expires_at,
                )
            )

    def _take(self, state_hash: str) -> PendingLogin | None:
        # DELETE ... RETURNING: of two callbacks racing with one state, exactly one gets the row.
        statement = (
            delete(LoginState)
            .where(LoginState.state_hash == state_hash)
            .returning(
                LoginState.browser_hash,
                LoginState.code_verifier,
                LoginState.nonce,
                LoginState.redirect_uri,
                LoginState.next_path,
                (LoginState.expires_at > func.clock_timestamp()).label("fresh"),
            )
        )
        with self._engine.begin() as connection:
            row = connection.execute(statement).one_or_none()
        if row is None or not row.fresh:
            return None
        return PendingLogin(
            browser_hash=row.browser_hash,
            code_verifier=row.code_verifier,
            nonce=row.nonce,
            redirect_uri=row.redirect_uri,
            next_path=row.next_path,
        )
