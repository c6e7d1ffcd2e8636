"""The table behind tickets.reminders.ReminderLedger: a reminder is sent by the sweep
that manages to insert its key, so two sweeps (or two instances) never both send it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.models import ReminderSent
from tickets.letters import insert_many
from tickets.reminders import Reminder

# A reminder's deadline is at most a long holiday in the past when it is a candidate,
# so keys this old can never come back: forgetting them keeps the table small.
RETENTION = timedelta(days=60)
CHUNK = 5000  # keys per lookup: below the bind-parameter limits of SQLite and PostgreSQL (32,766)


class TableReminderLedger:
    async def claim(self, session: AsyncSession, *, reminders: Sequence[Reminder], now: datetime) -> set[str]:
        await session.exec(delete(ReminderSent).where(col(ReminderSent.sent_at) < now - RETENTION))
        unique = {r.key: r for r in reminders}
        # Most candidates of a sweep were sent by an earlier one: look them up by key first,
        # then insert the rest; the insert (ON CONFLICT DO NOTHING) stays the arbiter between instances.
        keys = list(unique)
        known: set[str] = set()
        for start in range(0, len(keys), CHUNK):
            rows = await session.exec(
                select(ReminderSent.key).where(col(ReminderSent.key).in_(keys[start : start + CHUNK]))
            )
            known.update(rows.all())
        table = ReminderSent.__table__  # type: ignore[attr-defined]
        inserted = await insert_many(
            session, table,
            [{"key": r.key, "ticket_id": r.ticket_id, "kind": r.kind.value, "sent_at": now}
             for key, r in unique.items() if key not in known],
            conflict=["key"], returning=[table.c.key],
        )
        return {row[0] for row in inserted}
