"""Suggestions the bot shows before a person decides, from the classifier
(knowledge_base.classify): the request type, urgency and category of a citizen's draft
(knowledge_base.classify.draft, shared with the H5 page), and the top-3 units for dispatch.
The citizen and the office confirm or correct them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards, texts
from knowledge_base.classify import KeywordRouter
from knowledge_base.classify.errors import ClassifyError
from knowledge_base.matcher import KnowledgeBase
from tickets.enums import UnitKind
from tickets.messaging import new_ticket_text
from tickets.models import Ticket, Unit

TOP_UNITS = 3


async def handling_units(session: AsyncSession) -> list[Unit]:
    return list((await session.exec(
        select(Unit).where(Unit.active == True, Unit.kind != UnitKind.OFFICE).order_by(col(Unit.id))  # noqa: E712
    )).all())


async def suggest_units(session: AsyncSession, *, kb: KnowledgeBase | None, content: str,
                        extra_names: Sequence[str] = (), limit: int = TOP_UNITS) -> list[tuple[int, str]]:
    """Up to `limit` active handling units, best first.

    Keyword rules per unit: the unit's own keywords and name, plus the keywords of the
    knowledge-base entries that name the unit. A unit the handler proposed (退单 with a
    presumed unit) comes first.
    """
    units = await handling_units(session)
    by_name = {u.name: u for u in units}
    pairs: list[tuple[str, str]] = []
    for unit in units:
        pairs += [(unit.name, word) for word in unit.keywords.split()]
    if kb is not None:
        for entry in kb.entries:
            if entry.unit in by_name:
                pairs += [(entry.unit, word) for word in entry.keywords]
    ranked: list[str] = [u.name for u in units if any(n and (n in u.name or u.name in n) for n in extra_names)]
    with contextlib.suppress(ClassifyError):  # empty text: nothing to suggest
        ranked += [s.label for s in KeywordRouter.from_pairs(pairs).route(content, k=limit + len(ranked))]
    names = list(dict.fromkeys(ranked))[:limit]
    return [(by_name[n].id, n) for n in names if by_name[n].id is not None]  # type: ignore[misc]


async def all_units(session: AsyncSession) -> list[tuple[int, str]]:
    return [(u.id, u.name) for u in await handling_units(session) if u.id is not None]


async def new_ticket_card(session: AsyncSession, *, kb: KnowledgeBase | None,
                          ticket: Ticket) -> tuple[str, InlineKeyboardMarkup]:
    """The office's 新工单 card (tickets.messaging's text) with the suggested units as buttons,
    for the outbox push of any channel's new ticket and for /new alike."""
    units = await suggest_units(session, kb=kb, content=ticket.content)
    tail = texts.NEW_TICKET_SUGGESTED if units else texts.CHOOSE_UNIT
    return f"{new_ticket_text(ticket)}\n{tail}", keyboards.dispatch_units(ticket.number, units)
