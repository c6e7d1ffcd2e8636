"""Knowledge-base usage from the bot (kb_hit rows: the week's hot questions, the office's
self-service figures), written in batches.

One database session per answered question cut the bot's KB path from ~1,060 to ~325
updates/s (commit 0af9a09). Here an answer only appends (entry key, time) to a bounded
in-memory list; a background task writes whatever has gathered in ONE transaction every
`interval` seconds, and once more at shutdown.

- The handler never waits: `add()` is synchronous and O(1). A full buffer (the database
  slow or down for a while) drops the answer and counts it; the count is logged once per
  interval, not once per answer.
- A failed flush is logged and its rows are put back (as far as the buffer has room) for
  the next one; the bot goes on answering.
- Privacy: as on H5 (knowledge_base.service.record_hit), a usage row holds the entry, the
  channel and the time, never the citizen's question; the buffer does not hold it either.

What a crash loses: on kill -9 (or a power cut) the answers buffered since the last flush
are never written, at most one interval of counts (5 s by default). Acceptable for usage
counts: they feed a ranking of the week's most asked questions and aggregate figures, where
a few seconds missing out of seven days changes nothing anyone reads; no citizen's request,
answer or feedback is in the buffer (those are written at once, as before). A clean stop
(SIGTERM, redeploy) flushes, so nothing is lost then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime

from knowledge_base import service as kb_service
from tickets.clock import Clock
from tickets.db import SessionFactory, transaction

log = logging.getLogger("bot.usage")

CHANNEL = "telegram"  # how kb_hit names this channel (beside "h5")


@dataclass
class UsageStats:
    flushes: int = 0  # transactions committed with at least one answer in them
    written: int = 0  # kb_hit rows written
    dropped: int = 0  # answers never counted: buffer full, or a failed flush's rows without room
    failures: int = 0  # flushes whose transaction failed


class UsageBuffer:
    """Answers given, waiting to be counted. `add()` from the handlers; `start()` / `stop()`
    from the runtime that owns the database (TelegramRuntime, the tests, the benchmark)."""

    def __init__(self, sessions: SessionFactory, clock: Clock, *, interval: float = 5.0,
                 capacity: int = 10_000, channel: str = CHANNEL,
                 write_lock: asyncio.Semaphore | None = None) -> None:
        self.sessions, self.clock, self.channel = sessions, clock, channel
        self.interval = interval
        self.capacity = max(1, capacity)
        # SQLite: the process's one writer gate, shared with the other write paths.
        self.write_lock = write_lock
        self.stats = UsageStats()
        self._pending: list[tuple[str, datetime]] = []
        self._unlogged_drops = 0
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def add(self, key: str) -> None:
        """Count one answer from entry `key` in the next flush; never blocks."""
        if len(self._pending) >= self.capacity:
            self.stats.dropped += 1
            self._unlogged_drops += 1
            return
        self._pending.append((key, self.clock.now()))

    @property
    def waiting(self) -> int:
        return len(self._pending)

    async def flush(self) -> int:
        """Write what is buffered in one transaction; the rows written. Never raises on a
        database error (logged; the rows wait for the next flush)."""
        self._log_drops()
        batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            async with self._gate(), transaction(self.sessions) as session:
                written = await kb_service.record_hits(session, hits=batch, channel=self.channel)
        except Exception:
            self.stats.failures += 1
            # Older answers first: they go back in front of those given meanwhile.
            kept = batch[: max(0, self.capacity - len(self._pending))]
            self._pending[:0] = kept
            self.stats.dropped += len(batch) - len(kept)
            log.exception("writing %d knowledge-base usage rows failed; %d kept for the next flush",
                          len(batch), len(kept))
            return 0
        self.stats.flushes += 1
        self.stats.written += written
        return written

    def _log_drops(self) -> None:
        if self._unlogged_drops:
            log.warning("%d knowledge-base answers not counted: usage buffer full (%d waiting)",
                        self._unlogged_drops, self.capacity)
            self._unlogged_drops = 0

    def _gate(self) -> contextlib.AbstractAsyncContextManager[object]:
        return self.write_lock if self.write_lock is not None else contextlib.nullcontext()

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="kb-usage-writer")

    async def _run(self) -> None:
        while not self._stopping.is_set():
            # Woken early by stop(); a flush under way is never cancelled halfway.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.interval)
            if not self._stopping.is_set():
                await self.flush()

    async def stop(self) -> None:
        """End the periodic writer and write what is left (call after the last update)."""
        self._stopping.set()
        if self._task is not None:
            task, self._task = self._task, None
            await asyncio.wait([task])
            if not task.cancelled() and (error := task.exception()) is not None:
                log.error("knowledge-base usage writer failed", exc_info=error)
        await self.flush()
        self._log_drops()
        if self._pending:  # the last flush failed: there is no next one
            log.warning("%d knowledge-base answers not counted at shutdown", len(self._pending))
            self.stats.dropped += len(self._pending)
            self._pending = []
        log.info("knowledge-base usage: %d rows in %d transactions, %d answers not counted",
                 self.stats.written, self.stats.flushes, self.stats.dropped)
