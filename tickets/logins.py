"""Duty logins (登录值守, DOMAIN §5): a unit's first login of the working day is recorded
here; tickets.duty checks them at the policy deadline."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from tickets.clock import local
from tickets.context import Rules
from tickets.db import insert_for
from tickets.models import DutyLogin


async def record_duty_login(
    session: AsyncSession, *, rules: Rules, unit_id: int, staff_id: int | None
) -> None:
    """The unit's duty login for today (Shanghai date); the first login of the day is kept."""
    now = rules.now()
    statement = insert_for(session)(DutyLogin).values(
        unit_id=unit_id, work_date=local(now).date(), first_login_at=now, staff_id=staff_id
    ).on_conflict_do_nothing(index_elements=["unit_id", "work_date"])
    await session.exec(statement)
