"""Hand-built tickets for report tests: every field that the indicators read, set explicitly."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from tickets.clock import shanghai
from tickets.enums import Channel, RequestType, ResultCategory, Satisfaction, TicketStatus
from tickets.models import Citizen, Ticket, TicketCoUnit

_numbers = count(1)


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return shanghai(year, month, day, hour, minute)


async def add_ticket(
    session: AsyncSession,
    *,
    received: datetime,
    unit_id: int | None,
    co_unit_ids: tuple[int, ...] = (),
    due: datetime | None = None,
    replied: datetime | None = None,
    first_contact: datetime | None = None,
    first_contact_due: datetime | None = None,
    callback: datetime | None = None,
    reached: bool | None = None,
    satisfaction: Satisfaction | None = None,
    result: ResultCategory | None = None,
    solved: bool | None = None,
    status: TicketStatus | None = None,
    **fields: Any,
) -> Ticket:
    if status is None:
        status = (
            TicketStatus.CLOSED
            if callback and reached
            else (
                TicketStatus.REPLIED
                if replied
                else (TicketStatus.ACCEPTED if unit_id else TicketStatus.RECEIVED)
            )
        )
    values: dict[str, Any] = {
        "number": f"T{next(_numbers):08d}",
        "channel": Channel.PHONE,
        "request_type": RequestType.COMPLAINT,
        "category": "物业管理",
        "content": "小区电梯故障",
        "status": status,
        "received_at": received,
        "updated_at": received,
        "main_unit_id": unit_id,
        "dispatched_at": received if unit_id else None,
        "due_at": due,
        "replied_at": replied,
        "first_contact_at": first_contact,
        "first_contact_due_at": first_contact_due,
        "callback_at": callback,
        "callback_reached": reached,
        "cb_satisfaction": satisfaction,
        "cb_contacted": True if reached else None,
        "cb_answered": True if reached else None,
        "cb_solved": solved,
        "result": result,
        "reply_text": "经现场核实，已督促物业维修电梯，电梯已恢复运行，市民表示认可。" if replied else None,
    }
    values.update(fields)
    ticket = Ticket(**values)
    session.add(ticket)
    await session.flush()
    for co in co_unit_ids:
        session.add(TicketCoUnit(ticket_id=ticket.id, unit_id=co))  # type: ignore[arg-type]
    return ticket


async def add_citizen(session: AsyncSession, name: str, phone: str) -> Citizen:
    citizen = Citizen(name=name, phone=phone, created_at=at(1, 1))
    session.add(citizen)
    await session.flush()
    return citizen
