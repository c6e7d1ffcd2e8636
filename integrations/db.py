"""Write transactions of the adapters, queued on one in-process gate (see writer_gate).

SQLite makes a waiting writer sleep-poll for its lock, which under concurrent requests
costs tens of milliseconds per write; an asyncio queue in front of it is much cheaper.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.state import SESSIONS, WRITE_LOCK
from tickets.db import transaction


@contextlib.asynccontextmanager
async def writing(app: web.Application) -> AsyncIterator[AsyncSession]:
    lock = app.get(WRITE_LOCK)
    async with lock if lock is not None else contextlib.nullcontext(), transaction(app[SESSIONS]) as session:
        yield session


def writer_gate(dialect: str) -> asyncio.Semaphore:
    """One writer per process on both databases.

    SQLite has a single writer anyway. On PostgreSQL every ticket creation updates the
    same daily counter row (tickets.service._next_number) early in its transaction and
    holds that row lock to the commit; concurrent writers of one process then queue on
    the lock while the event loop serves the others, and throughput collapses
    (bench/api_bench.py: 41 tickets/s with 4 writers against 101/s with one, 32 clients).
    Several processes still write in parallel.
    """
    return asyncio.Semaphore(1)
