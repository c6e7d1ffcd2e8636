"""The table behind tickets.reminders.ReminderLedger: a reminder is sent by the sweep
that manages to insert its key, so two sweeps (or two instances) never both send it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.models import ReminderSent
from tickets.reminders import Reminder

CHUNK = 500


class TableReminderLedger:
    async def claim(self, session: AsyncSession, *, reminders: Sequence[Reminder], now: datetime) -> set[str]:
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        unique = list({r.key: r for r in reminders}.values())
        claimed: set[str] = set()
        for start in range(0, len(unique), CHUNK):
            rows = [{"key": r.key, "ticket_id": r.ticket_id, "kind": r.kind.value, "sent_at": now}
                    for r in unique[start : start + CHUNK]]
            statement = (
                insert(ReminderSent).values(rows).on_conflict_do_nothing(index_elements=["key"])
                .returning(col(ReminderSent.key))
            )
            claimed.update((await session.exec(statement)).scalars().all())  # type: ignore[call-overload]
        return claimed
