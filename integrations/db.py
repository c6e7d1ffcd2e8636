"""Write transactions of the adapters, queued on one in-process gate on SQLite (see writer_gate).

SQLite makes a waiting writer sleep-poll for its lock, which under concurrent requests
costs tens of milliseconds per write; an asyncio queue in front of it is much cheaper.
Ticket intake does not come through here: it is group-committed by integrations.batcher
(which takes the same gate for each batch).
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


def writer_gate(dialect: str) -> asyncio.Semaphore | None:
    """One writer per process on SQLite, none on PostgreSQL.

    SQLite has a single writer anyway. PostgreSQL needed the gate while every ticket
    creation held the daily counter's row lock to its commit (41 tickets/s with 4
    writers against 101/s with one). The counter is now bumped in its own short
    transaction (tickets.intake.next_numbers), and bench/api_bench.py measured the
    reverse: 128 tickets/s without the gate against 75/s with it (32 clients, before
    group commit). So PostgreSQL writers run in parallel, as the database intends.
    """
    return asyncio.Semaphore(1) if dialect == "sqlite" else None
