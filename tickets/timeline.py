"""What a citizen may see of a ticket on the tracking page: the public timeline (received,
dispatched to which unit, replied, closed…), never a handler's name or an internal note,
and — to the citizen who proved the phone — the unit's reply and the callback questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts
from tickets.context import Actor
from tickets.enums import Action, Channel, ResultCategory, TicketStatus
from tickets.errors import Forbidden
from tickets.models import Citizen, Ticket, Unit
from tickets.queries import ticket_events

# Actions a citizen sees; every other event (calls, site visits, requests to the office,
# supervision, urging) is internal work.
PUBLIC_ACTIONS = frozenset(texts.TIMELINE)


@dataclass(frozen=True)
class Step:
    at: datetime
    action: Action
    text: str


@dataclass(frozen=True)
class TrackingView:
    number: str
    status: TicketStatus
    status_label: str
    request_type: str
    category: str
    unit: str | None
    received_at: datetime
    due_at: datetime | None
    steps: list[Step]
    # The reply is the citizen's own business: only in the owner's view.
    reply_text: str | None = None
    result: ResultCategory | None = None
    content: str | None = None
    place: str | None = None
    # The callback questions are open (a reply waits for the citizen's answer).
    can_rate: bool = False


async def _unit_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for unit_id in ids:
        unit = await session.get(Unit, unit_id)
        if unit is not None:
            names[unit_id] = unit.name
    return names


async def public_timeline(session: AsyncSession, *, ticket: Ticket) -> list[Step]:
    """The ticket's events as the citizen reads them, oldest first."""
    assert ticket.id is not None
    events = [e for e in await ticket_events(session, ticket_id=ticket.id) if e.action in PUBLIC_ACTIONS]
    ids = {int(e.data[k]) for e in events for k in ("unit_id", "new_unit_id") if e.data.get(k) is not None}
    names = await _unit_names(session, ids)
    steps: list[Step] = []
    unit = ""
    for event in events:
        if event.action is Action.DISPATCH and event.data.get("unit_id") is not None:
            unit = names.get(int(event.data["unit_id"]), unit)
        elif event.action is Action.APPROVE_RETURN and event.data.get("new_unit_id") is not None:
            unit = names.get(int(event.data["new_unit_id"]), unit)
        text = texts.TIMELINE[event.action].format(unit=unit or texts.TIMELINE_UNIT)
        if event.action is Action.RECEIVE and ticket.channel is Channel.MAILBOX:
            text = texts.TIMELINE_LETTER_RECEIVED
        steps.append(Step(at=event.at, action=event.action, text=text))
    return steps


async def tracking_view(session: AsyncSession, *, ticket: Ticket, owner: bool) -> TrackingView:
    """The tracking page's content; `owner` (the citizen proved the ticket's phone) adds the
    content, the place, the unit's reply and whether the callback questions may be answered."""
    unit = await session.get(Unit, ticket.main_unit_id) if ticket.main_unit_id else None
    replied = ticket.status in (TicketStatus.REPLIED, TicketStatus.CLOSED, TicketStatus.DIRECT_ANSWERED)
    return TrackingView(
        number=ticket.number, status=ticket.status, status_label=texts.STATUS[ticket.status],
        request_type=texts.REQUEST_TYPE[ticket.request_type], category=ticket.category or texts.UNCATEGORISED,
        unit=unit.name if unit else None, received_at=ticket.received_at, due_at=ticket.due_at,
        steps=await public_timeline(session, ticket=ticket),
        reply_text=ticket.reply_text if owner and replied else None,
        result=ticket.result if owner and replied else None,
        content=ticket.content if owner else None, place=ticket.place if owner else None,
        can_rate=owner and ticket.status is TicketStatus.REPLIED,
    )


def owns(ticket: Ticket, *, phone: str | None) -> bool:
    """A verified phone owns a ticket filed with that contact phone."""
    return bool(phone) and ticket.contact_phone == phone


async def owner_actor(session: AsyncSession, *, ticket: Ticket, phone: str | None) -> Actor:
    """The citizen who filed `ticket`, acting through a verified phone (callback answers),
    or Forbidden."""
    citizen = await session.get(Citizen, ticket.citizen_id) if ticket.citizen_id else None
    if citizen is None or not owns(ticket, phone=phone):
        raise Forbidden(texts.ERR_NOT_OWN_TICKET)
    return Actor.of_citizen(citizen)
