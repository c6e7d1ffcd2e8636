"""The outbox worker: at-least-once delivery of tickets.outbox rows through notifiers.

A round claims due rows by pushing their `next_attempt_at` one lease ahead and counting
the attempt (committed before anything is sent), then sends them, each row marked sent,
due again after a backoff, or dead in its own short transaction as soon as its call
returns, before the next call starts (`concurrency` calls at a time, 1 by default). A
worker that dies repeats at most the messages in flight (one by default): their rows stay
leased and are claimed and sent again with the same dedupe key when the lease runs out,
so nothing is lost and receivers can drop the duplicate; the rest of the batch is either
marked already or was never sent, and the next worker sends it at once.

Several workers may run on PostgreSQL: the claim locks with FOR UPDATE SKIP LOCKED so
they split the rows instead of queueing on each other. On SQLite one worker is the
supported set-up; the claim's conditional UPDATE still keeps two from sending a row twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from integrations.config import IntegrationSettings as Settings
from integrations.metrics import Metrics
from tickets.clock import Clock
from tickets.db import SessionFactory
from tickets.enums import OutboxChannel, OutboxStatus
from tickets.models import Outbox
from tickets.outbox import DeliveryError, Notifier
from tickets.privacy import mask_phone, mask_text

log = logging.getLogger("integrations.outbox")


def backoff_delay(
    attempt: int, *, base: float, cap: float, rand: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    Exponential (base, 2·base, 4·base … capped) with "equal jitter": a uniform draw in
    the upper half, so retries of many rows spread out but never come back at once.
    """
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + rand() * ceiling / 2


@dataclass(frozen=True)
class WorkerConfig:
    max_attempts: int = 8
    base_delay: float = 30.0
    max_delay: float = 3600.0
    lease: float = 120.0
    batch_size: int = 50
    poll: float = 2.0
    # Calls in flight at once: also how many messages a crash of this worker may repeat.
    concurrency: int = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerConfig:
        return cls(max_attempts=settings.outbox_max_attempts, base_delay=settings.outbox_base_delay_seconds,
                   max_delay=settings.outbox_max_delay_seconds, lease=settings.outbox_lease_seconds,
                   batch_size=settings.outbox_batch_size, poll=settings.outbox_poll_seconds,
                   concurrency=settings.outbox_concurrency)


@dataclass
class Outcome:
    message: Outbox
    status: OutboxStatus
    error: str | None = None
    retry_in: float = 0.0


def recipient_for_log(message: Outbox) -> str:
    return mask_phone(message.recipient) if message.channel is OutboxChannel.SMS else message.recipient


class OutboxWorker:

    def __init__(
        self,
        sessions: SessionFactory,
        notifiers: Mapping[OutboxChannel, Notifier],
        *,
        clock: Clock,
        config: WorkerConfig | None = None,
        metrics: Metrics | None = None,
        rand: Callable[[], float] = random.random,
        write_lock: asyncio.Semaphore | None = None,
    ) -> None:
        self.sessions = sessions
        self.notifiers = notifiers
        self.clock = clock
        self.config = config or WorkerConfig()
        self.metrics = metrics
        self.rand = rand
        # Shared with the request handlers on SQLite (integrations.db.writing).
        self.write_lock = write_lock or contextlib.nullcontext()

    async def claim(self) -> list[Outbox]:
        channels = sorted(self.notifiers)
        if not channels:
            return []
        now = self.clock.now()
        async with self.write_lock, self.sessions() as session, session.begin():
            due = (
                select(Outbox.id)
                .where(Outbox.status == OutboxStatus.PENDING, col(Outbox.next_attempt_at) <= now,
                       col(Outbox.channel).in_(channels))
                .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
                .limit(self.config.batch_size)
            )
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            statement = (
                update(Outbox)
                .where(col(Outbox.id).in_(due.scalar_subquery()), col(Outbox.status) == OutboxStatus.PENDING,
                       col(Outbox.next_attempt_at) <= now)
                .values(attempts=Outbox.attempts + 1,
                        next_attempt_at=now + timedelta(seconds=self.config.lease))
                .returning(Outbox)
                .execution_options(synchronize_session=False)
            )
            rows = list((await session.exec(statement)).scalars().all())
        rows.sort(key=lambda m: m.id or 0)
        return rows

    async def _deliver(self, message: Outbox, gate: asyncio.Semaphore) -> Outcome:
        # The slot is held until the row is marked: a crash then repeats at most `concurrency`
        # messages, never one already answered whose mark waits behind the next call.
        async with gate:
            outcome = await self._send(message)
            await self.mark([outcome])
        return outcome

    async def _send(self, message: Outbox) -> Outcome:
        notifier = self.notifiers[message.channel]
        try:
            await notifier.send(message)
        except DeliveryError as error:
            return self._failure(
                message, str(error), permanent=error.permanent, retry_after=error.retry_after
            )
        except Exception as error:  # a notifier bug must not stop the other messages
            log.exception("notifier %s crashed on outbox row %s", message.channel.value, message.id)
            return self._failure(message, f"{type(error).__name__}: {mask_text(str(error))[:200]}",
                                 permanent=False, retry_after=None)
        return Outcome(message, OutboxStatus.SENT)

    def _failure(self, message: Outbox, error: str, *, permanent: bool, retry_after: float | None) -> Outcome:
        if permanent or message.attempts >= self.config.max_attempts:
            return Outcome(message, OutboxStatus.DEAD, error)
        delay = backoff_delay(message.attempts, base=self.config.base_delay, cap=self.config.max_delay,
                              rand=self.rand)
        return Outcome(message, OutboxStatus.PENDING, error, max(delay, retry_after or 0.0))

    async def mark(self, outcomes: list[Outcome]) -> None:
        now = self.clock.now()
        async with self.write_lock, self.sessions() as session, session.begin():
            for outcome in outcomes:
                m = outcome.message
                values: dict[str, object] = {"status": outcome.status, "last_error": outcome.error}
                if outcome.status is OutboxStatus.SENT:
                    values["sent_at"] = now
                elif outcome.status is OutboxStatus.PENDING:
                    values["next_attempt_at"] = now + timedelta(seconds=outcome.retry_in)
                # Only the claim that is still current may mark: a row re-claimed after an
                # expired lease belongs to the newer attempt.
                await session.exec(
                    update(Outbox)
                    .where(col(Outbox.id) == m.id, col(Outbox.attempts) == m.attempts,
                           col(Outbox.status) == OutboxStatus.PENDING)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
        for outcome in outcomes:
            m = outcome.message
            if self.metrics is not None:
                label = {OutboxStatus.SENT: "sent", OutboxStatus.PENDING: "retry", OutboxStatus.DEAD: "dead"}
                self.metrics.deliveries.labels(m.channel.value, label[outcome.status]).inc()
            if outcome.status is OutboxStatus.DEAD:
                log.warning(
                    "outbox %s to %s dead after %s attempts: %s",
                    m.id,
                    recipient_for_log(m),
                    m.attempts,
                    outcome.error,
                )
            elif outcome.status is OutboxStatus.PENDING:
                log.info(
                    "outbox %s to %s failed (attempt %s), retry in %.0fs: %s",
                    m.id,
                    recipient_for_log(m),
                    m.attempts,
                    outcome.retry_in,
                    outcome.error,
                )

    async def run_once(self) -> int:
        """One round: claim, then send and mark each message. Returns how many were handled."""
        messages = await self.claim()
        if not messages:
            return 0
        gate = asyncio.Semaphore(self.config.concurrency)
        await asyncio.gather(*(self._deliver(m, gate) for m in messages))
        return len(messages)

    async def run(self, *, rounds: int | None = None) -> None:
        """Work until cancelled (or for `rounds` rounds); sleeps when nothing is due."""
        done = 0
        while rounds is None or done < rounds:
            done += 1
            try:
                handled = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox round failed; retrying after the poll interval")
                handled = 0
            if handled < self.config.batch_size:
                await asyncio.sleep(self.config.poll)
