"""The audit trail's writer: one TicketEvent per action on a ticket, in the caller's
transaction (tickets.service for the workflow, tickets.whistles for 吹哨报到)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets.context import Actor, Rules
from tickets.enums import Action, TicketStatus
from tickets.models import Ticket, TicketEvent
from tickets.rows import saved_id


async def record_event(
    session: AsyncSession,
    *,
    rules: Rules,
    ticket: Ticket,
    actor: Actor,
    action: Action,
    from_status: TicketStatus,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=saved_id(ticket),
        at=rules.now(),
        actor_role=actor.role,
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        from_status=from_status,
        to_status=ticket.status,
        note=note,
        data=data or {},
    )
    # A Core insert: the audit row is never read back in this transaction, and skipping the
    # ORM unit of work for it is a measurable share of every transition's cost.
    values = event.model_dump(exclude={"id"})
    statement = insert(TicketEvent).values(**values).returning(col(TicketEvent.id))
    event.id = (await session.exec(statement)).scalar_one()
    return event
