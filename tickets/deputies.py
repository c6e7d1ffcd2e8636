"""人大代表联动 (seed 004): the office flags a ticket a people's deputy referred, so that its
handling is reported apart (reports.linkage); the month's list of hard complaints for the
deputies' liaison is a report (reports.linkage.deputies_list)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts, workflow
from tickets.context import Actor, Rules
from tickets.enums import Action
from tickets.errors import IllegalTransition
from tickets.events import record_event
from tickets.queries import get_ticket
from tickets.schemas import check_length, require
from tickets.whistle_models import DeputyReferral


async def refer_by_deputy(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, deputy: str,
                          station: str = "") -> DeputyReferral:
    """Flag `number` as referred by `deputy` (of the liaison `station`); once per ticket."""
    deputy = require(deputy, texts.WHAT_DEPUTY_NAME)
    check_length(deputy, rules.policy.limits.name_max_chars, texts.WHAT_DEPUTY_NAME)
    station = (station or "").strip()
    check_length(station, rules.policy.limits.place_max_chars, texts.WHAT_DEPUTY_STATION)
    ticket = await get_ticket(session, number=number)
    workflow.check(ticket.status, Action.DEPUTY_REFERRAL, actor.role, number=ticket.number)
    existing = (
        await session.exec(select(DeputyReferral).where(DeputyReferral.ticket_id == ticket.id))
    ).first()
    if existing is not None:
        raise IllegalTransition(texts.ERR_DEPUTY_ALREADY.format(number=ticket.number, deputy=existing.deputy))
    assert ticket.id is not None
    referral = DeputyReferral(ticket_id=ticket.id, deputy=deputy, station=station, referred_at=rules.now())
    session.add(referral)
    await record_event(session, rules=rules, ticket=ticket, actor=actor, action=Action.DEPUTY_REFERRAL,
                       from_status=ticket.status, note=deputy, data={"station": station})
    return referral
