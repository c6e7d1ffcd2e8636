"""The demo jurisdiction loads through the real service functions on both databases."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from tickets.clock import ManualClock
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.demo import demo_is_loaded, load_demo
from tickets.enums import Role, TicketStatus
from tickets.models import Staff, Ticket, TicketEvent, Unit


async def test_demo_covers_every_state_with_two_handlers_per_unit(sessions: SessionFactory, rules: Rules,
                                                                   clock: ManualClock) -> None:
    result = await load_demo(sessions, rules=rules, tickets=80, seed=7)
    assert (result.units, result.staff, result.tickets) == (21, 41, 80)
    async with sessions() as session:
        assert await demo_is_loaded(session)
        statuses = set((await session.exec(select(Ticket.status))).all())
        assert statuses >= {TicketStatus.RECEIVED, TicketStatus.DISPATCHED, TicketStatus.ACCEPTED,
                            TicketStatus.RETURN_REQUESTED, TicketStatus.EXTENSION_REQUESTED, TicketStatus.REPLIED,
                            TicketStatus.CLOSED, TicketStatus.DIRECT_ANSWERED}
        per_unit = (await session.exec(
            select(Staff.unit_id, func.count()).where(Staff.role == Role.HANDLER).group_by(col(Staff.unit_id))
        )).all()
        assert len(per_unit) == 20 and all(n == 2 for _, n in per_unit)
        assert (await session.exec(select(func.count()).select_from(Unit))).one() == 21
        # Every ticket has its audit trail, and nothing happened in the future.
        events = (await session.exec(select(TicketEvent))).all()
        assert {e.ticket_id for e in events} == set((await session.exec(select(Ticket.id))).all())
        assert max(e.at for e in events) <= clock.now()
        oldest = (await session.exec(select(func.min(Ticket.received_at)))).one()
        assert (clock.now() - oldest).days <= 60
