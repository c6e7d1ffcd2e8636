"""Shared steps of the bot tests: tickets put in a given state through the service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.conftest import Org
from tickets import intake, service
from tickets.context import Actor, Rules
from tickets.db import SessionFactory
from tickets.enums import Channel, RequestType
from tickets.schemas import TicketCreate

if TYPE_CHECKING:
    from tests.bot.conftest import Harness
    from tests.bot.fake_telegram import Call

CITIZEN = 5001


async def filed_ticket(
    sessions: SessionFactory,
    rules: Rules,
    org: Org,
    *,
    unit_index: int | None = 0,
    citizen: int = CITIZEN,
    content: str = "幸福小区3号楼楼道灯坏了一个月，晚上很黑。",
) -> str:
    """A bot ticket of `citizen`, dispatched to unit `unit_index` (None: left undispatched)."""
    async with sessions() as session:
        ticket = await intake.create_ticket(
            session,
            rules=rules,
            actor=Actor.system("test"),
            data=TicketCreate(
                channel=Channel.BOT,
                request_type=RequestType.COMPLAINT,
                content=content,
                category="城市管理",
                place="幸福小区3号楼",
                contact_name="李先生",
                contact_phone="13812345678",
                citizen_telegram_id=citizen,
            ),
        )
        if unit_index is not None:
            await service.dispatch(session, rules=rules, actor=org.office, number=ticket.number,
                                   unit_id=org.unit_ids[unit_index])
        await session.commit()
        return ticket.number


async def file_in_bot(h: Harness, *, content: str, place: str, phone: str = "13812345678") -> list[Call]:
    """A citizen files through the bot's steps and confirms; the bot's answers to the confirmation."""
    await h.say(CITIZEN, "我要反映")
    await h.say(CITIZEN, content)
    await h.say(CITIZEN, place)
    summary = await h.say(CITIZEN, phone)
    return await h.press(CITIZEN, summary[0].button_data("✅ 确认提交"))
