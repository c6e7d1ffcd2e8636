"""Read-side queries the bot, the API, the scheduler and the reports share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts
from tickets.clock import ensure_aware, local, local_midnight
from tickets.enums import OPEN_STATUSES, WITH_UNIT_STATUSES, Role, TicketStatus, Urgency
from tickets.errors import NotFound
from tickets.models import Staff, Ticket, TicketCoUnit, TicketEvent, Unit


async def get_ticket(session: AsyncSession, *, number: str) -> Ticket:
    number = (number or "").strip()
    ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).first()
    if ticket is None:
        raise NotFound(texts.ERR_TICKET_NOT_FOUND.format(number=number[:30] or texts.EMPTY_NUMBER))
    return ticket


async def get_unit(session: AsyncSession, *, unit_id: int | None = None, name: str | None = None) -> Unit:
    unit: Unit | None = None
    if unit_id is not None:
        unit = await session.get(Unit, unit_id)
    elif name:
        unit = (await session.exec(select(Unit).where(Unit.name == name.strip()))).first()
    if unit is None:
        raise NotFound(texts.ERR_UNIT_NOT_FOUND.format(unit=name or unit_id or ""))
    return unit


async def co_unit_ids(session: AsyncSession, *, ticket: Ticket) -> list[int]:
    rows = await session.exec(select(TicketCoUnit.unit_id).where(TicketCoUnit.ticket_id == ticket.id))
    return list(rows.all())


async def unit_handlers(session: AsyncSession, *, unit_ids: Sequence[int]) -> list[Staff]:
    if not unit_ids:
        return []
    rows = await session.exec(
        select(Staff)
        .where(col(Staff.unit_id).in_(unit_ids), Staff.role == Role.HANDLER, Staff.active == True)  # noqa: E712
        .order_by(col(Staff.unit_id), col(Staff.slot), col(Staff.id))
    )
    return list(rows.all())


async def office_staff(session: AsyncSession) -> list[Staff]:
    rows = await session.exec(
        select(Staff).where(Staff.role == Role.OFFICE, Staff.active == True).order_by(col(Staff.id))  # noqa: E712
    )
    return list(rows.all())


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    """In a unit's hands past its completion deadline (the same rule as `overdue_condition`)."""
    return ticket.status in WITH_UNIT_STATUSES and ticket.due_at is not None and ticket.due_at < now


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """`is_overdue` as SQL, for queries that filter or count overdue tickets."""
    return col(Ticket.status).in_(sorted(WITH_UNIT_STATUSES)) & (col(Ticket.due_at) < ensure_aware(now))


async def overdue_tickets(
    session: AsyncSession, *, now: datetime, unit_id: int | None = None, limit: int | None = None
) -> Sequence[Ticket]:
    """Tickets in a unit's hands whose completion deadline has passed."""
    query = select(Ticket).where(overdue_condition(now))
    if unit_id is not None:
        query = query.where(Ticket.main_unit_id == unit_id)
    query = query.order_by(col(Ticket.due_at))
    if limit is not None:
        query = query.limit(limit)
    return (await session.exec(query)).all()


def local_day_start(now: datetime, *, days_back: int) -> datetime:
    """Midnight (Shanghai) `days_back` days before today."""
    return local_midnight(local(now).date() - timedelta(days=days_back))


async def open_longer_than(
    session: AsyncSession, *, now: datetime, days: int, unit_id: int | None = None, limit: int | None = None
) -> Sequence[Ticket]:
    """Open tickets received more than `days` calendar days ago (Shanghai dates; day of receipt = 0)."""
    cutoff = local_day_start(now, days_back=days)
    query = select(Ticket).where(
        col(Ticket.status).in_(sorted(OPEN_STATUSES)), col(Ticket.received_at) < cutoff
    )
    if unit_id is not None:
        query = query.where(Ticket.main_unit_id == unit_id)
    query = query.order_by(col(Ticket.received_at))
    if limit is not None:
        query = query.limit(limit)
    return (await session.exec(query)).all()


async def unit_tickets(
    session: AsyncSession, *, unit_id: int, statuses: Sequence[TicketStatus] | None = None, limit: int = 200
) -> Sequence[Ticket]:
    statuses = statuses or sorted(OPEN_STATUSES)
    query = (
        select(Ticket)
        .where(Ticket.main_unit_id == unit_id, col(Ticket.status).in_(statuses))
        .order_by(col(Ticket.due_at).asc().nulls_last(), col(Ticket.id))
        .limit(limit)
    )
    return (await session.exec(query)).all()


async def citizen_tickets(session: AsyncSession, *, citizen_id: int, limit: int = 50) -> Sequence[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.citizen_id == citizen_id)
        .order_by(col(Ticket.received_at).desc())
        .limit(limit)
    )
    return (await session.exec(query)).all()


async def ticket_events(session: AsyncSession, *, ticket_id: int) -> Sequence[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(col(TicketEvent.id))
    return (await session.exec(query)).all()


# --- paged queues for the bot's lists ------------------------------------------------------

# Urgent first, then semi-urgent, then general.
URGENCY_RANK = case({Urgency.URGENT: 0, Urgency.SEMI_URGENT: 1}, value=col(Ticket.urgency), else_=2)


async def count_tickets(session: AsyncSession, *, condition: ColumnElement[bool]) -> int:
    return int((await session.exec(select(func.count()).select_from(Ticket).where(condition))).one())


async def ticket_page(session: AsyncSession, *, condition: ColumnElement[bool], order: Sequence[Any],
                      offset: int, limit: int) -> Sequence[Ticket]:
    """One page of the tickets meeting `condition`, in `order` (then by id, so pages never overlap)."""
    return (await session.exec(select(Ticket).where(condition).order_by(*order, col(Ticket.id))
                               .offset(offset).limit(limit))).all()


def new_queue() -> tuple[ColumnElement[bool], list[Any]]:
    """Waiting for dispatch: urgent first, then the oldest."""
    return col(Ticket.status) == TicketStatus.RECEIVED, [URGENCY_RANK, col(Ticket.received_at)]


def pending_queue() -> tuple[ColumnElement[bool], list[Any]]:
    """Returns and extensions waiting for the office: urgent first, then the earliest due."""
    condition = col(Ticket.status).in_([TicketStatus.RETURN_REQUESTED, TicketStatus.EXTENSION_REQUESTED])
    return condition, [URGENCY_RANK, col(Ticket.due_at).asc().nulls_last()]


def overdue_queue(now: datetime) -> tuple[ColumnElement[bool], list[Any]]:
    """Overdue in a unit's hands: the longest overdue first."""
    return overdue_condition(now), [col(Ticket.due_at)]
