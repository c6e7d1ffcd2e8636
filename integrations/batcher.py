"""Group commit for ticket intake.

A request that files a ticket does not open its own transaction: it hands its validated
draft to the process's IntakeBatcher and waits. One writer task takes whatever drafts
are queued (up to `max_batch`, after waiting at most `max_wait` for more), receives
them with tickets.intake.create_tickets in ONE transaction and answers every request
with its own ticket or its own error. Six statements and one commit then serve a whole
batch instead of each request — the cost that bounded intake to a few hundred tickets/s.

- A draft the domain refuses fails alone (create_tickets returns its error in place).
- A database error fails the batch's transaction; the drafts are then retried one by
  one, each in its own transaction, so one bad row never fails the others.
- The queue is bounded: past `max_queue` waiting drafts a request gets 503 with a
  Chinese message and Retry-After, instead of queueing for ever.
- Stopping refuses new drafts (503) and drains the queue: a draft that was accepted
  is written and answered before the process ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from aiohttp import web

from integrations import texts
from integrations.http import ApiError
from integrations.state import RULES, SESSIONS, WRITE_LOCK
from tickets.context import Actor, Rules
from tickets.db import SessionFactory, transaction
from tickets.errors import HotlineError
from tickets.intake import Outcome, create_tickets
from tickets.models import Ticket
from tickets.schemas import TicketCreate

log = logging.getLogger("integrations.batcher")

RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True)
class IntakeLimits:
    """How large a batch may grow, how long the writer waits for one to fill, how many drafts
    may wait before requests are refused. Batches stay small when the writer keeps up (it
    takes what is queued the moment it is free); they grow only under load."""

    max_batch: int = 200
    max_wait: float = 0.002  # seconds
    max_queue: int = 5000


@dataclass
class _Item:
    actor: Actor
    draft: TicketCreate
    future: asyncio.Future[Ticket]


@dataclass
class IntakeStats:
    batches: int = 0
    tickets: int = 0
    largest: int = 0
    fallbacks: int = 0  # batches whose transaction failed and were retried one by one


class IntakeBatcher:
    def __init__(self, sessions: SessionFactory, rules: Rules, *, write_lock: asyncio.Semaphore | None = None,
                 limits: IntakeLimits | None = None) -> None:
        self.sessions = sessions
        self.rules = rules
        # SQLite: the process's one writer gate, shared with the other write paths.
        self.write_lock = write_lock
        limits = limits or IntakeLimits()
        self.max_batch = max(1, limits.max_batch)
        self.max_wait = limits.max_wait
        self.max_queue = limits.max_queue
        self.stats = IntakeStats()
        # Unbounded underneath: the bound is checked in submit(), so the stop marker always fits.
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    # --- the requests' side ---------------------------------------------------------------

    async def submit(self, *, actor: Actor, draft: TicketCreate) -> Ticket:
        """File one ticket in the next batch; its ticket, or its own error raised."""
        if self._closing:
            raise ApiError(503, "shutting_down", texts.ERR_INTAKE_CLOSING,
                           {"Retry-After": str(RETRY_AFTER_SECONDS)})
        if self._queue.qsize() >= self.max_queue:
            raise ApiError(
                503, "overloaded", texts.ERR_INTAKE_BUSY, {"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        future: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Item(actor=actor, draft=draft, future=future))
        return await future

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="intake-batcher")

    async def stop(self) -> None:
        """Refuse new drafts, write every queued one, then end the writer."""
        self._closing = True
        if self._task is None:
            if self._queue.empty():
                return
            self.start()  # drafts queued before the writer ever ran still get written
        assert self._task is not None
        self._queue.put_nowait(None)
        await asyncio.wait([self._task])  # a writer cancelled meanwhile has already answered its requests
        task, self._task = self._task, None
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("intake writer failed", exc_info=error)
        log.info("intake stopped: %d tickets in %d batches (largest %d), %d fallbacks",
                 self.stats.tickets, self.stats.batches, self.stats.largest, self.stats.fallbacks)

    # --- the writer ------------------------------------------------------------------------------

    async def _run(self) -> None:
        batch: list[_Item] = []
        try:
            stopping = False
            while not stopping:
                first = await self._queue.get()
                if first is None:
                    break
                batch = [first]
                stopping = self._take(batch)
                if not stopping and len(batch) < self.max_batch and self.max_wait > 0:
                    # A short wait lets the requests already on their way join this transaction.
                    await asyncio.sleep(self.max_wait)
                    stopping = self._take(batch)
                # A request whose client went away before its turn gets no ticket it would never see.
                live = [item for item in batch if not item.future.done()]
                if live:
                    await self._write(live)
                batch = []
        finally:
            # Only when the writer is cancelled instead of stopped: nobody may wait for ever.
            self._closing = True
            while not self._queue.empty():
                if (item := self._queue.get_nowait()) is not None:
                    batch.append(item)
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(ApiError(503, "shutting_down", texts.ERR_INTAKE_CLOSING,
                                                       {"Retry-After": str(RETRY_AFTER_SECONDS)}))

    def _take(self, batch: list[_Item]) -> bool:
        """Move queued drafts into the batch up to its limit; True when the stop marker came."""
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                return False
            if item is None:
                return True
            batch.append(item)
        return False

    async def _write(self, batch: Sequence[_Item]) -> None:
        self.stats.batches += 1
        self.stats.tickets += len(batch)
        self.stats.largest = max(self.stats.largest, len(batch))
        try:
            outcomes = await self._in_one_transaction(batch)
        except Exception:
            log.warning(
                "intake batch of %d failed; retrying its drafts one by one", len(batch), exc_info=True
            )
            self.stats.fallbacks += 1
            await self._one_by_one(batch)
            return
        for item, outcome in zip(batch, outcomes, strict=True):
            _resolve(item.future, outcome)

    async def _in_one_transaction(self, batch: Sequence[_Item]) -> list[Outcome]:
        # Drafts are grouped by who files them (the audit event's actor), first come first.
        groups: dict[Actor, list[int]] = {}
        for index, item in enumerate(batch):
            groups.setdefault(item.actor, []).append(index)
        outcomes: list[Outcome | None] = [None] * len(batch)
        async with self._gate(), transaction(self.sessions) as session:
            for actor, indexes in groups.items():
                results = await create_tickets(session, rules=self.rules, actor=actor,
                                               drafts=[batch[i].draft for i in indexes])
                for index, outcome in zip(indexes, results, strict=True):
                    outcomes[index] = outcome
        return [o for o in outcomes if o is not None]

    async def _one_by_one(self, batch: Sequence[_Item]) -> None:
        for item in batch:
            try:
                async with self._gate(), transaction(self.sessions) as session:
                    (outcome,) = await create_tickets(session, rules=self.rules, actor=item.actor,
                                                      drafts=[item.draft])
            except Exception as error:
                if not item.future.done():
                    item.future.set_exception(error)
                continue
            _resolve(item.future, outcome)

    def _gate(self) -> contextlib.AbstractAsyncContextManager[object]:
        return self.write_lock if self.write_lock is not None else contextlib.nullcontext()


def _resolve(future: asyncio.Future[Ticket], outcome: Outcome) -> None:
    if future.done():
        return
    if isinstance(outcome, HotlineError):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


INTAKE = web.AppKey("intake", IntakeBatcher)
# Optional: set before the app starts to change the limits (benchmarks, tests).
INTAKE_LIMITS = web.AppKey("intake_limits", IntakeLimits)


async def intake_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: after the database is open; stopped (drained) before it is disposed."""
    batcher = IntakeBatcher(
        app[SESSIONS], app[RULES], write_lock=app.get(WRITE_LOCK), limits=app.get(INTAKE_LIMITS)
    )
    app[INTAKE] = batcher
    batcher.start()
    yield
    await batcher.stop()
