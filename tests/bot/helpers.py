"""Shared steps of the bot tests: tickets put in a given state through the service."""

from __future__ import annotations

from tests.conftest import Org
from tickets import intake, service
from tickets.context import Actor, Rules
from tickets.db import SessionFactory
from tickets.enums import Channel, RequestType
from tickets.schemas import TicketCreate

CITIZEN = 5001


async def filed_ticket(sessions: SessionFactory, rules: Rules, org: Org, *, unit_index: int | None = 0,
                       citizen: int = CITIZEN, content: str = "幸福小区3号楼楼道灯坏了一个月，晚上很黑。") -> str:
    """A bot ticket of `citizen`, dispatched to unit `unit_index` (None: left undispatched)."""
    async with sessions() as session:
        ticket = await intake.create_ticket(session, rules=rules, actor=Actor.system("test"), data=TicketCreate(
            channel=Channel.BOT, request_type=RequestType.COMPLAINT, content=content, category="城市管理",
            place="幸福小区3号楼", contact_name="李先生", contact_phone="13812345678", citizen_telegram_id=citizen))
        if unit_index is not None:
            await service.dispatch(session, rules=rules, actor=org.office, number=ticket.number,
                                   unit_id=org.unit_ids[unit_index])
        await session.commit()
        return ticket.number
