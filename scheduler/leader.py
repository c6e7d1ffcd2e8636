"""Who runs the jobs when several identical processes share the database.

PostgreSQL: a session-level advisory lock held on a connection of its own. The server
frees the lock the moment that session ends — a crashed process closes its socket at
once, and TCP keepalives (set below) end the session of a vanished host within about
20 s — so a follower polling every 5 s takes over within 30 s. Every lock query has a
time limit: a leader whose lock connection hangs steps down instead of waiting.

SQLite: no cross-process lock worth the name, so the process is the single instance.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# The server gives up on a silent client after idle + interval × count seconds (5 + 5 × 3 = 20 s).
KEEPALIVES = {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}
QUERY_TIMEOUT = 5.0  # seconds for one lock query


class Elector(Protocol):
    description: str

    async def acquire(self) -> bool:
        """Try once to become the leader; True when this process holds the leadership."""
        ...

    async def still_leader(self) -> bool:
        ...

    async def release(self) -> None:
        ...


class SingleInstance:
    description = "single instance (SQLite)"

    async def acquire(self) -> bool:
        return True

    async def still_leader(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresAdvisoryLock:
    def __init__(self, url: str, *, key: int, timeout: float = QUERY_TIMEOUT) -> None:
        self.key = key
        self.timeout = timeout
        self.description = f"PostgreSQL advisory lock {key}"
        self._engine: AsyncEngine = create_async_engine(
            make_url(url), poolclass=NullPool, connect_args={"server_settings": KEEPALIVES},
            hide_parameters=True,  # like every engine of the service (tickets.db.create_engine)
        )
        self._connection: AsyncConnection | None = None
        self._held = False

    async def _connect(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self._engine.connect()
            # Autocommit: the lock lives in the session, and an idle transaction would hold a snapshot
            # forever.
            self._connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    async def _drop(self) -> None:
        connection, self._connection, self._held = self._connection, None, False
        if connection is not None:
            try:
                await connection.invalidate()
                await connection.close()
            except Exception:  # the connection is already broken; nothing left to free
                log.debug("closing a broken lock connection failed", exc_info=True)

    async def acquire(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout):
                connection = await self._connect()
                got = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                                {"key": self.key})).scalar()
        except Exception as error:
            log.warning("scheduler leader lock: database not reachable (%s)", error)
            await self._drop()
            return False
        self._held = bool(got)
        return self._held

    async def still_leader(self) -> bool:
        if not self._held or self._connection is None:
            return False
        try:
            async with asyncio.timeout(self.timeout):
                held = (await self._connection.execute(
                    text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                         "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :key"),
                    {"key": self.key},
                )).scalar()
        except Exception as error:
            log.error("scheduler leader lock: lock connection lost (%s)", error)
            await self._drop()
            return False
        if not held:
            self._held = False
        return bool(held)

    async def release(self) -> None:
        if self._connection is not None and self._held:
            try:
                async with asyncio.timeout(self.timeout):
                    await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            except Exception:
                log.debug("unlock failed; closing the session frees the lock anyway", exc_info=True)
        await self._drop()
        await self._engine.dispose()


def elector_for(engine: AsyncEngine, *, key: int) -> Elector:
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLock(engine.url.render_as_string(hide_password=False), key=key)
    return SingleInstance()
