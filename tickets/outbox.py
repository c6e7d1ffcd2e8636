"""Writing to the outbox. Rows are added inside the caller's transaction, so a message
exists if and only if the change that caused it was committed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from tickets.db import insert_for
from tickets.enums import OutboxChannel, OutboxStatus
from tickets.models import Outbox


async def enqueue(
    session: AsyncSession,
    *,
    channel: OutboxChannel,
    recipient: str,
    payload: dict[str, Any],
    dedupe_key: str,
    now: datetime,
) -> bool:
    """Add a message unless one with the same dedupe key exists. True when added.

    ON CONFLICT DO NOTHING (not a unique-violation catch) keeps the surrounding
    transaction usable on PostgreSQL, where any error aborts it.
    """
    message = {"channel": channel, "recipient": recipient, "payload": payload, "dedupe_key": dedupe_key}
    return await enqueue_many(session, messages=[message], now=now) == 1


async def enqueue_many(session: AsyncSession, *, messages: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Several messages (channel, recipient, payload, dedupe_key) as one cached executemany
    (SQLAlchemy batches it into multi-row statements); a dedupe key already there is skipped.
    Returns how many were added."""
    if not messages:
        return 0
    rows = [
        {
            "channel": m["channel"],
            "recipient": m["recipient"],
            "payload": m["payload"],
            "dedupe_key": m["dedupe_key"],
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for m in messages
    ]
    table = Outbox.__table__  # type: ignore[attr-defined]
    statement = (
        insert_for(session)(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    )
    connection = await session.connection()
    result = await connection.execute(statement, rows)
    return len(result.all())


class DeliveryError(Exception):
    """A notifier could not deliver. `permanent` ones go to the dead letters at once
    (a blocked bot, an unknown recipient); others are retried with backoff."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class Notifier(Protocol):
    """One outbound channel. Receivers get `message.dedupe_key` so a re-send is harmless."""

    channel: OutboxChannel

    async def send(self, message: Outbox) -> None:
        """Deliver or raise DeliveryError."""
        ...
