"""Writing to the outbox. Rows are added inside the caller's transaction, so a message
exists if and only if the change that caused it was committed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

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
    values = {
        "channel": channel,
        "recipient": recipient,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Outbox).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.exec(statement)  # type: ignore[call-overload]
    return bool(result.rowcount)


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
