"""Helpers shared by the scheduler's tests: tickets made through the real service functions."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tickets import intake
from tickets import service as svc
from tickets.clock import ManualClock
from tickets.context import Rules
from tickets.enums import Channel, RequestType, Urgency
from tickets.models import Notice, Outbox
from tickets.schemas import TicketCreate


async def dispatched_ticket(
    session: AsyncSession,
    *,
    rules: Rules,
    clock: ManualClock,
    org: Org,
    at: datetime,
    unit_index: int = 0,
    urgency: Urgency = Urgency.GENERAL,
    content: str = "小区门口路灯不亮，晚上出行不安全，请尽快维修。",
    category: str = "城市管理",
    phone: str | None = "13800138000",
    telegram_id: int | None = None,
    request_type: RequestType = RequestType.COMPLAINT,
) -> str:
    """Received and dispatched at `at` (the clock is left there)."""
    clock.set(at)
    ticket = await intake.create_ticket(session, rules=rules, actor=org.office, data=TicketCreate(
        channel=Channel.PHONE, request_type=request_type, content=content, category=category, urgency=urgency,
        contact_name="李四", contact_phone=phone, citizen_telegram_id=telegram_id,
    ))
    await svc.dispatch(
        session, rules=rules, actor=org.office, number=ticket.number, unit_id=org.unit_ids[unit_index]
    )
    number = ticket.number
    await session.commit()
    return number


async def notices(session: AsyncSession) -> list[Notice]:
    return list((await session.exec(select(Notice).order_by(col(Notice.unit_id), col(Notice.id)))).all())


async def outbox_of_kind(session: AsyncSession, kind: str) -> list[Outbox]:
    rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    return [row for row in rows if row.payload.get("kind") == kind]
