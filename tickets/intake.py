"""Receiving requests (受理): the one door through which every channel (bot, API, Open311,
telephony, upstream, demo) creates tickets, in batches: many drafts, one transaction,
set-based SQL.

`create_tickets` gives exactly what the same drafts passed one after the other to
`create_ticket` would give (that function is this one with a single draft): the same
numbers in the same order, the same citizens, repeat counts, audit events and
notifications (tickets.messaging.announce_received). What changes is the cost. Each draft is validated on its
own — a bad one gets its own typed error and the others go on — and the valid ones
are written with a fixed number of statements whatever their count: one citizen
lookup, one insert of the new citizens, one bump of the daily counter by N, one
repeat count, one ticket insert, one audit-event insert and one outbox insert.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, or_
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts
from tickets.clock import local
from tickets.context import Actor, Rules
from tickets.db import insert_for
from tickets.enums import Action, Channel, TicketStatus
from tickets.errors import HotlineError, ValidationFailed
from tickets.messaging import announce_received
from tickets.models import Citizen, Ticket, TicketCounter, TicketEvent
from tickets.privacy import normalize_phone
from tickets.sanitize import refuse_control
from tickets.schemas import TicketCreate, check_length

# What one draft turns into: its ticket, or the error that refused it.
Outcome = Ticket | HotlineError


@dataclass(frozen=True)
class CheckedDraft:
    """A draft that passed validation, with its content trimmed and its phone normalised."""

    data: TicketCreate
    content: str
    phone: str | None


# A letter or digit of any script: what separates a request from emoji and punctuation
# (the knowledge base's question path treats the same as empty).
_WORD = re.compile(r"[^\W_]")


def check_content(rules: Rules, content: str) -> str:
    """A request's content, trimmed: not empty, not only emoji or punctuation, within the limit."""
    content = content.strip()
    if not content:
        raise ValidationFailed(texts.ERR_CONTENT_EMPTY)
    if _WORD.search(content) is None:
        raise ValidationFailed(texts.ERR_CONTENT_NO_WORDS)
    limit = rules.policy.limits.content_max_chars
    if len(content) > limit:
        raise ValidationFailed(texts.ERR_CONTENT_TOO_LONG.format(length=len(content), limit=limit))
    return content


def check_draft(rules: Rules, data: TicketCreate) -> CheckedDraft:
    """Every rule a new request must meet before anything is written (ValidationFailed otherwise)."""
    refuse_control(
        {
            texts.WHAT_CONTENT: data.content,
            texts.WHAT_PLACE: data.place,
            texts.WHAT_NAME: data.contact_name,
            texts.WHAT_PHONE: data.contact_phone,
            texts.WHAT_CATEGORY: data.category,
            texts.WHAT_EXTERNAL_NUMBER: data.external_number,
        }
    )
    content = check_content(rules, data.content)
    check_length(data.place, rules.policy.limits.place_max_chars, texts.WHAT_PLACE)
    check_length(data.contact_name, rules.policy.limits.name_max_chars, texts.WHAT_NAME)
    phone = normalize_phone(data.contact_phone) if data.contact_phone else None
    return CheckedDraft(data=data, content=content, phone=phone)


async def create_tickets(session: AsyncSession, *, rules: Rules, actor: Actor,
                         drafts: Sequence[TicketCreate]) -> list[Outcome]:
    """Receive many requests in the caller's transaction; one outcome per draft, in order.

    Errors other than validation (a database failure) propagate: the caller rolls the
    whole batch back and may retry the drafts one by one.
    """
    outcomes: list[Outcome | None] = [None] * len(drafts)
    checked: list[tuple[int, CheckedDraft]] = []
    for index, data in enumerate(drafts):
        try:
            checked.append((index, check_draft(rules, data)))
        except HotlineError as error:
            outcomes[index] = error
    if checked:
        tickets = await _receive(session, rules=rules, actor=actor, drafts=[c for _, c in checked])
        for (index, _), ticket in zip(checked, tickets, strict=True):
            outcomes[index] = ticket
    return [o for o in outcomes if o is not None]


async def create_ticket(session: AsyncSession, *, rules: Rules, actor: Actor, data: TicketCreate) -> Ticket:
    """Receive one request (受理): validate, number it, store it with its first audit event,
    the citizen's receipt and the office's card. A batch of one, so that a single request and
    a batch of them are received alike."""
    (outcome,) = await create_tickets(session, rules=rules, actor=actor, drafts=[data])
    if isinstance(outcome, HotlineError):
        raise outcome
    return outcome


# --- citizens -----------------------------------------------------------------------


@dataclass
class _NewCitizen:
    """A citizen first seen in this batch; inserted with the others once the batch is resolved."""

    name: str | None
    phone: str | None
    telegram_user_id: int | None
    id: int | None = None


Person = Citizen | _NewCitizen


@dataclass
class _Found:
    """Who filed one draft, as the sequence of create_ticket calls would have seen it."""

    person: Person | None
    new: bool
    # The citizen's Telegram id at that moment: it decides where the receipt goes.
    telegram_id: int | None


class _Citizens:
    """The citizens a batch touches, looked up once and then resolved draft by draft in memory.

    The rule is create_ticket's: the citizen with the draft's Telegram id, else one with its
    phone, else a new one; a known citizen gains a missing Telegram id, name or phone. A draft
    sees what the drafts before it in the batch changed, as it would in separate calls.
    """

    def __init__(self, known: Sequence[Citizen]) -> None:
        self.by_telegram: dict[int, Person] = {}
        self.by_phone: dict[str, Person] = {}
        self.new: list[_NewCitizen] = []
        # Oldest first, so that of several citizens sharing a phone the first one answers.
        for citizen in sorted(known, key=lambda c: c.id or 0):
            self._index(citizen)

    def _index(self, person: Person) -> None:
        if person.telegram_user_id is not None:
            self.by_telegram.setdefault(person.telegram_user_id, person)
        if person.phone:
            self.by_phone.setdefault(person.phone, person)

    def resolve(self, *, phone: str | None, name: str | None, telegram_id: int | None) -> _Found:
        if telegram_id is None and not phone:
            return _Found(person=None, new=False, telegram_id=None)
        person = self.by_telegram.get(telegram_id) if telegram_id is not None else None
        if person is None and phone:
            person = self.by_phone.get(phone)
        if person is None:
            created = _NewCitizen(name=name, phone=phone, telegram_user_id=telegram_id)
            self.new.append(created)
            self._index(created)
            return _Found(person=created, new=True, telegram_id=telegram_id)
        if telegram_id is not None and person.telegram_user_id is None:
            person.telegram_user_id = telegram_id
        person.name = person.name or name
        person.phone = person.phone or phone
        self._index(person)
        return _Found(person=person, new=False, telegram_id=person.telegram_user_id)


async def _known_citizens(session: AsyncSession, drafts: Sequence[CheckedDraft]) -> list[Citizen]:
    telegram_ids = {d.data.citizen_telegram_id for d in drafts if d.data.citizen_telegram_id is not None}
    phones = {d.phone for d in drafts if d.phone}
    conditions = []
    if telegram_ids:
        conditions.append(col(Citizen.telegram_user_id).in_(sorted(telegram_ids)))
    if phones:
        conditions.append(col(Citizen.phone).in_(sorted(phones)))
    if not conditions:
        return []
    return list((await session.exec(select(Citizen).where(or_(*conditions)))).all())


async def _insert_citizens(session: AsyncSession, *, rules: Rules, new: Sequence[_NewCitizen]) -> None:
    """One multi-row insert; ids come back matched by (phone, Telegram id), unique among new citizens
    (a second draft with the same phone or Telegram id finds the first one instead of creating)."""
    if not new:
        return
    now = rules.now()
    rows = [{"name": c.name, "phone": c.phone, "telegram_user_id": c.telegram_user_id, "created_at": now}
            for c in new]
    table = Citizen.__table__  # type: ignore[attr-defined]
    statement = insert(table).returning(table.c.id, table.c.phone, table.c.telegram_user_id)
    result = await session.exec(statement, params=rows)
    ids = {(phone, telegram_id): citizen_id for citizen_id, phone, telegram_id in result.all()}
    for citizen in new:
        citizen.id = ids[(citizen.phone, citizen.telegram_user_id)]


# --- numbers and repeats ------------------------------------------------------------------


async def next_numbers(session: AsyncSession, *, rules: Rules, count: int) -> list[str]:
    """`count` consecutive numbers YYYYMMDD + a five-digit daily sequence, taken with one atomic
    bump of the day's counter by `count` (safe across processes).

    On PostgreSQL the counter row is bumped in its own short transaction: inside the
    tickets' transaction its row lock would be held until commit and every concurrent
    intake would queue behind it. The price is a gap in the numbers when the tickets'
    transaction rolls back, which numbering rules allow. SQLite has one writer at a
    time anyway, so there it stays inside the transaction.
    """
    day = local(rules.now()).strftime("%Y%m%d")
    bind = session.bind
    statement = (
        insert_for(session)(TicketCounter)
        .values(day=day, last=count)
        .on_conflict_do_update(index_elements=["day"], set_={"last": TicketCounter.last + count})
        .returning(TicketCounter.last)
    )
    if bind is not None and bind.dialect.name == "postgresql" and isinstance(bind, AsyncEngine):
        async with bind.connect() as connection:
            # One statement, committed by itself: no BEGIN and COMMIT round trips around it.
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            last = (await connection.execute(statement)).scalar_one()
    else:
        last = (await session.exec(statement)).scalar_one()
    return [f"{day}{n:05d}" for n in range(last - count + 1, last + 1)]


async def _earlier_counts(session: AsyncSession, pairs: set[tuple[int, str]]) -> Counter[tuple[int, str]]:
    """Tickets already stored per (citizen, category): the repeat complaints before this batch."""
    if not pairs:
        return Counter()
    citizen_ids = sorted({c for c, _ in pairs})
    categories = sorted({k for _, k in pairs})
    rows = await session.exec(
        select(Ticket.citizen_id, Ticket.category, func.count())
        .where(col(Ticket.citizen_id).in_(citizen_ids), col(Ticket.category).in_(categories))
        .group_by(col(Ticket.citizen_id), col(Ticket.category))
    )
    counts: Counter[tuple[int, str]] = Counter()
    for citizen_id, category, count in rows.all():
        if citizen_id is not None and (citizen_id, category) in pairs:
            counts[(citizen_id, category)] = int(count)
    return counts


# --- the batch ---------------------------------------------------------------------------


def _model_defaults(model: type[SQLModel]) -> dict[str, Any]:
    """The model's Python-side defaults (counters, flags, JSON columns), which a bulk insert of
    plain rows would not apply; taken from the model so that a new column needs no change here.
    NULL defaults are left out: an omitted column is NULL anyway, and fewer columns bind faster."""
    defaults = {name: field.get_default(call_default_factory=True)
                for name, field in model.model_fields.items() if name != "id" and not field.is_required()}
    return {name: value for name, value in defaults.items() if value is not None}


async def _receive(session: AsyncSession, *, rules: Rules, actor: Actor,
                   drafts: Sequence[CheckedDraft]) -> list[Ticket]:
    now = rules.now()
    citizens = _Citizens(await _known_citizens(session, drafts))
    found = [citizens.resolve(phone=d.phone, name=d.data.contact_name, telegram_id=d.data.citizen_telegram_id)
             for d in drafts]
    await _insert_citizens(session, rules=rules, new=citizens.new)
    numbers = await next_numbers(session, rules=rules, count=len(drafts))

    # Repeat complaints (DOMAIN §4): earlier tickets of the same citizen in the same category,
    # counting those earlier in this batch. A citizen new at its draft has none stored.
    stored = await _earlier_counts(session, {
        (who.person.id, draft.data.category) for draft, who in zip(drafts, found, strict=True)
        if who.person is not None and who.person.id is not None and not who.new and draft.data.category
    })
    in_batch: Counter[tuple[int, str]] = Counter()
    defaults = _model_defaults(Ticket)
    rows: list[dict[str, Any]] = []
    for draft, who, number in zip(drafts, found, numbers, strict=True):
        data = draft.data
        citizen_id = who.person.id if who.person is not None else None
        repeat = 0
        if citizen_id is not None and data.category:
            key = (citizen_id, data.category)
            if not who.new:
                repeat = stored[key] + in_batch[key]
            in_batch[key] += 1
        rows.append(defaults | {
            "number": number,
            "channel": data.channel,
            "external_number": data.external_number,
            "request_type": data.request_type,
            "category": data.category,
            "urgency": data.urgency,
            "content": draft.content,
            "place": data.place,
            "contact_name": data.contact_name or None,
            "contact_phone": draft.phone,
            "confidential": data.confidential,
            "citizen_id": citizen_id,
            "status": TicketStatus.RECEIVED,
            "received_at": now,
            "updated_at": now,
            # Tickets from above get the office's brief call (先行简告) within the hour.
            "brief_contact_due_at": rules.calendar.add(now, rules.policy.deadlines.brief_contact)
            if data.channel is Channel.UPSTREAM else None,
            "repeat_count": repeat,
        })
    # An ORM bulk insert: the tickets come back as persistent objects of this session, so the
    # caller may go on changing them (dispatch, upstream) like any loaded ticket.
    result = await session.exec(insert(Ticket).returning(Ticket), params=rows)
    by_number = {t.number: t for t in result.scalars().all()}
    tickets = [by_number[n] for n in numbers]

    event_ids = await _record_received(session, rules=rules, actor=actor, tickets=tickets)
    await announce_received(
        session,
        rules=rules,
        tickets=tickets,
        telegram_ids=[who.telegram_id for who in found],
        event_ids=event_ids,
    )
    return tickets


async def _record_received(session: AsyncSession, *, rules: Rules, actor: Actor,
                           tickets: Sequence[Ticket]) -> list[int]:
    """The first audit event of each ticket (受理), in one insert; their ids in ticket order."""
    at = rules.now()
    rows = [{
        "ticket_id": t.id, "at": at, "actor_role": actor.role, "actor_id": actor.id, "actor_name": actor.name,
        "action": Action.RECEIVE, "from_status": TicketStatus.RECEIVED, "to_status": t.status, "note": "",
        "data": {"channel": t.channel.value},
    } for t in tickets]
    # Core, not the ORM: audit rows are never read back here. Each ticket has one event, so the
    # ids map back through ticket_id without relying on the order RETURNING gives them.
    table = TicketEvent.__table__  # type: ignore[attr-defined]
    result = await session.exec(
        insert(table).returning(table.c.id, table.c.ticket_id), params=rows)
    ids = {ticket_id: event_id for event_id, ticket_id in result.all()}
    return [ids[t.id] for t in tickets]
