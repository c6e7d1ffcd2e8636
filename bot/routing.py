"""Suggestions the bot shows before a person decides, from the classifier
(knowledge_base.classify): the request type, urgency and category of a citizen's draft
(knowledge_base.classify.draft, shared with the H5 page), and the top-3 units for dispatch.
The citizen and the office confirm or correct them.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards, texts
from knowledge_base.matcher import KnowledgeBase
from knowledge_base.unit_routing import TOP_UNITS, handling_units, rank_units
from tickets.messaging import new_ticket_text
from tickets.models import Ticket


async def suggest_units(session: AsyncSession, *, kb: KnowledgeBase | None, content: str,
                        extra_names: Sequence[str] = (), limit: int = TOP_UNITS) -> list[tuple[int, str]]:
    """Up to `limit` active handling units, best first (knowledge_base.unit_routing)."""
    found = await rank_units(session, kb=kb, content=content, extra_names=extra_names, limit=limit)
    return [(s.id, s.name) for s in found]


async def all_units(session: AsyncSession) -> list[tuple[int, str]]:
    return [(u.id, u.name) for u in await handling_units(session) if u.id is not None]


async def new_ticket_card(session: AsyncSession, *, kb: KnowledgeBase | None,
                          ticket: Ticket) -> tuple[str, InlineKeyboardMarkup]:
    """The office's 新工单 card (tickets.messaging's text) with the suggested units as buttons,
    for the outbox push of any channel's new ticket and for /new alike."""
    units = await suggest_units(session, kb=kb, content=ticket.content)
    tail = texts.NEW_TICKET_SUGGESTED if units else texts.CHOOSE_UNIT
    return f"{new_ticket_text(ticket)}\n{tail}", keyboards.dispatch_units(ticket.number, units)
