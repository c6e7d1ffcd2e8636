"""Service functions of the ticket domain: the only place where tickets change.

Each function is keyword-only, session first. It checks the transition against
tickets.workflow, writes the change, one TicketEvent and the outbox rows for the
people to tell — all in the caller's transaction, so either everything is stored or
nothing is. Nothing is sent from here: the outbox worker sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts, workflow
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import Clock, SystemClock, local
from tickets.db import insert_for
from tickets.enums import (
    Action,
    Channel,
    OutboxChannel,
    RequestType,
    ResultCategory,
    Role,
    Satisfaction,
    TicketStatus,
    Urgency,
)
from tickets.errors import Forbidden, HotlineError, NotFound, ValidationFailed, WindowClosed
from tickets.models import (
    Citizen,
    DutyLogin,
    Staff,
    Ticket,
    TicketCoUnit,
    TicketEvent,
    Unit,
)
from tickets.outbox import enqueue
from tickets.policy import Period, PeriodUnit, Policy, load_policy
from tickets.privacy import mask_text
from tickets.settings import Settings


@dataclass(frozen=True)
class Rules:
    """What time-dependent rules need: the clock, the working-day calendar and the policy."""

    clock: Clock
    calendar: WorkCalendar
    policy: Policy

    def now(self) -> datetime:
        return self.clock.now()

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Rules:
        policy = load_policy(settings.policy_file)
        calendar = WorkCalendar(policy.working_hours, CalendarOverrides.load(settings.calendar_overrides))
        return cls(clock=clock or SystemClock(), calendar=calendar, policy=policy)


@dataclass(frozen=True)
class Actor:
    """Who acts: the role decides what is allowed, unit_id scopes a handler to its tickets."""

    role: Role
    id: int | None = None
    unit_id: int | None = None
    name: str = ""

    @classmethod
    def of_staff(cls, staff: Staff) -> Actor:
        return cls(role=staff.role, id=staff.id, unit_id=staff.unit_id, name=staff.name)

    @classmethod
    def of_citizen(cls, citizen: Citizen) -> Actor:
        return cls(role=Role.CITIZEN, id=citizen.id, name="市民")

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(role=Role.SYSTEM, name=name)


# --- inputs -----------------------------------------------------------------


class TicketCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    channel: Channel
    request_type: RequestType
    content: str
    category: str = Field(default="", max_length=50)
    urgency: Urgency = Urgency.GENERAL
    place: str = ""
    external_number: str | None = Field(default=None, max_length=64)
    contact_name: str | None = None
    contact_phone: str | None = None
    citizen_telegram_id: int | None = None
    confidential: bool = False


class ReplyData(BaseModel):
    """A unit's 办结回复 with the elements DOMAIN §3 step 7 requires."""

    model_config = ConfigDict(str_strip_whitespace=True)

    result: ResultCategory
    text: str = ""
    contact_person: str = ""
    facts: str = ""
    judgement: str = ""
    citizen_opinion: str = ""
    answered_by: str = ""
    answered_at: datetime | None = None
    site_findings: str = ""


class CallbackAnswers(BaseModel):
    """The four callback questions (是否先联 / 是否答复 / 是否解决 / 满意度)."""

    reached: bool = True
    contacted: bool | None = None
    answered: bool | None = None
    solved: bool | None = None
    satisfaction: Satisfaction | None = None
    note: str = ""


PLACE_MAX = 200
NAME_MAX = 50
NOTE_MAX = 2000


# --- helpers ---------------------------------------------------------------------


def _check_length(value: str | None, limit: int, field: str) -> None:
    if value is not None and len(value) > limit:
        raise ValidationFailed(texts.ERR_FIELD_TOO_LONG.format(field=field, limit=limit))


def _require(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(texts.ERR_REASON_REQUIRED.format(what=what))
    _check_length(value, NOTE_MAX, what)
    return value


def describe_period(period: Period) -> str:
    unit = {PeriodUnit.WORKING_DAYS: "个工作日", PeriodUnit.CALENDAR_DAYS: "天", PeriodUnit.HOURS: "小时"}
    return f"{period.amount}{unit[period.unit]}"


async def get_ticket(session: AsyncSession, *, number: str) -> Ticket:
    number = (number or "").strip()
    ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).first()
    if ticket is None:
        raise NotFound(texts.ERR_TICKET_NOT_FOUND.format(number=number[:30] or "（空）"))
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


async def _record_event(
    session: AsyncSession,
    *,
    rules: Rules,
    ticket: Ticket,
    actor: Actor,
    action: Action,
    from_status: TicketStatus,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id,
        at=rules.now(),
        actor_role=actor.role,
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        from_status=from_status,
        to_status=ticket.status,
        note=note,
        data=data or {},
    )
    # A Core insert: the audit row is never read back in this transaction, and skipping the
    # ORM unit of work for it is a measurable share of every transition's cost.
    values = event.model_dump(exclude={"id"})
    event.id = (await session.exec(insert(TicketEvent).values(**values).returning(TicketEvent.id))).scalar_one()  # type: ignore[call-overload]
    return event


async def _transition(
    session: AsyncSession,
    *,
    rules: Rules,
    actor: Actor,
    ticket: Ticket,
    action: Action,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Check and apply one transition of the table; write its audit event."""
    target = workflow.check(ticket.status, action, actor.role, number=ticket.number)
    if actor.role is Role.HANDLER and ticket.main_unit_id != actor.unit_id:
        raise Forbidden(texts.ERR_OTHER_UNIT.format(number=ticket.number))
    if actor.role is Role.CITIZEN and ticket.citizen_id != actor.id:
        raise Forbidden(texts.ERR_NOT_OWN_TICKET)
    before = ticket.status
    ticket.status = target
    ticket.updated_at = rules.now()
    session.add(ticket)
    event = await _record_event(
        session, rules=rules, ticket=ticket, actor=actor, action=action, from_status=before, note=note, data=data
    )
    if actor.role is Role.HANDLER and actor.unit_id is not None:
        # Any handler action counts as the unit's duty login for the day (DOMAIN §5).
        await record_duty_login(session, rules=rules, unit_id=actor.unit_id, staff_id=actor.id)
    if ticket.channel is Channel.UPSTREAM and action in UPSTREAM_REPORTED:
        await enqueue(
            session,
            channel=OutboxChannel.UPSTREAM,
            recipient="upstream",
            payload={
                "kind": "state_change",
                "number": ticket.number,
                "external_number": ticket.external_number,
                "action": action.value,
                "status": ticket.status.value,
                "result": ticket.result.value if ticket.result else None,
                "reply": ticket.reply_text if action is Action.REPLY else None,
                "note": note,
                "at": event.at.isoformat(),
            },
            dedupe_key=f"{ticket.number}:{event.id}:upstream",
            now=rules.now(),
        )
    return event


# Transitions the upstream platform is told about (the reply must go back up, DOMAIN §1).
UPSTREAM_REPORTED = frozenset(
    {
        Action.ACCEPT,
        Action.FIRST_CONTACT,
        Action.REPLY,
        Action.CLOSE,
        Action.SEND_BACK,
        Action.DIRECT_ANSWER,
        Action.APPROVE_EXTENSION,
    }
)


async def _notify_staff(
    session: AsyncSession,
    *,
    rules: Rules,
    staff_rows: Sequence[Staff],
    ticket: Ticket,
    event: TicketEvent,
    kind: str,
    text: str,
) -> None:
    for staff in staff_rows:
        if staff.telegram_user_id is not None:
            channel, recipient = OutboxChannel.TELEGRAM, str(staff.telegram_user_id)
        elif staff.phone:
            channel, recipient = OutboxChannel.SMS, staff.phone
        else:
            continue
        await enqueue(
            session,
            channel=channel,
            recipient=recipient,
            payload={"kind": kind, "number": ticket.number, "text": text, "staff_id": staff.id},
            dedupe_key=f"{ticket.number}:{event.id}:{channel.value}:{recipient}",
            now=rules.now(),
        )


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


async def _notify_unit(session: AsyncSession, *, rules: Rules, ticket: Ticket, event: TicketEvent,
                       kind: str, text: str, unit_ids: Sequence[int] | None = None) -> None:
    ids = list(unit_ids) if unit_ids is not None else [ticket.main_unit_id] if ticket.main_unit_id else []
    staff = await unit_handlers(session, unit_ids=ids)
    await _notify_staff(session, rules=rules, staff_rows=staff, ticket=ticket, event=event, kind=kind, text=text)


async def _notify_office(session: AsyncSession, *, rules: Rules, ticket: Ticket, event: TicketEvent,
                         kind: str, text: str) -> None:
    staff = [s for s in await office_staff(session) if s.telegram_user_id is not None]
    await _notify_staff(session, rules=rules, staff_rows=staff, ticket=ticket, event=event, kind=kind, text=text)


async def _notify_citizen(session: AsyncSession, *, rules: Rules, ticket: Ticket, event: TicketEvent,
                          kind: str, text: str) -> None:
    citizen = await session.get(Citizen, ticket.citizen_id) if ticket.citizen_id else None
    if citizen is not None and citizen.telegram_user_id is not None:
        channel, recipient = OutboxChannel.TELEGRAM, str(citizen.telegram_user_id)
    elif ticket.contact_phone:
        channel, recipient = OutboxChannel.SMS, ticket.contact_phone
    else:
        return
    await enqueue(
        session,
        channel=channel,
        recipient=recipient,
        payload={"kind": kind, "number": ticket.number, "text": text, "audience": "citizen"},
        dedupe_key=f"{ticket.number}:{event.id}:{channel.value}:{recipient}",
        now=rules.now(),
    )


def summary(ticket: Ticket, limit: int = 80) -> str:
    """A short, masked summary of the content for pushes and letters."""
    text = mask_text(" ".join(ticket.content.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- creation ----------------------------------------------------------------------


async def create_ticket(session: AsyncSession, *, rules: Rules, actor: Actor, data: TicketCreate) -> Ticket:
    """Receive a request (受理): validate, number it, store it with its first audit event and
    the citizen's receipt. A batch of one: tickets.intake holds the rules, so that a single
    request and a batch of them are received alike."""
    from tickets.intake import create_tickets  # intake builds on this module's types

    (outcome,) = await create_tickets(session, rules=rules, actor=actor, drafts=[data])
    if isinstance(outcome, HotlineError):
        raise outcome
    return outcome


# --- office intake --------------------------------------------------------------


async def brief_contact(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, reached: bool,
                        note: str = "") -> Ticket:
    ticket = await get_ticket(session, number=number)
    await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.BRIEF_CONTACT,
                      note=note, data={"reached": reached})
    if reached and ticket.brief_contact_at is None:
        ticket.brief_contact_at = rules.now()
    return ticket


async def _set_units(session: AsyncSession, *, ticket: Ticket, unit_id: int, co_unit_ids: Sequence[int]) -> Unit:
    unit = await get_unit(session, unit_id=unit_id)
    if not unit.active:
        raise ValidationFailed(texts.ERR_UNIT_INACTIVE.format(unit=unit.name))
    co = [u for u in dict.fromkeys(co_unit_ids) if u != unit_id]
    for co_id in co:
        await get_unit(session, unit_id=co_id)
    for link in (await session.exec(select(TicketCoUnit).where(TicketCoUnit.ticket_id == ticket.id))).all():
        await session.delete(link)
    for co_id in co:
        session.add(TicketCoUnit(ticket_id=ticket.id, unit_id=co_id))
    ticket.main_unit_id = unit.id
    return unit


def completion_period(policy: Policy, urgency: Urgency) -> Period:
    """办结时限 by urgency (urgent help 1 working day, general 5, by default)."""
    completion = policy.deadlines.completion
    return {Urgency.URGENT: completion.urgent, Urgency.SEMI_URGENT: completion.semi_urgent,
            Urgency.GENERAL: completion.general}[urgency]


def _start_deadlines(ticket: Ticket, *, rules: Rules) -> None:
    """Deadlines counted from the moment a unit receives the ticket (接单之日起)."""
    now = rules.now()
    d = rules.policy.deadlines
    cal = rules.calendar
    ticket.dispatched_at = now
    ticket.accepted_at = None
    ticket.first_contact_due_at = cal.add(now, d.first_contact)
    ticket.return_window_until = cal.add(now, d.return_window)
    ticket.extension_window_until = cal.add(now, d.extension_window)
    ticket.due_at = cal.add(now, completion_period(rules.policy, ticket.urgency))
    ticket.extended_days = 0
    if ticket.urgency is Urgency.URGENT and not cal.in_working_hours(now):
        ticket.feedback_due_at = cal.add(now, d.urgent_offhours_feedback)
    else:
        ticket.feedback_due_at = None


async def dispatch(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, unit_id: int,
                   co_unit_ids: Sequence[int] = (), note: str = "") -> Ticket:
    """派单 to a main unit and optional co-handling units."""
    ticket = await get_ticket(session, number=number)
    workflow.check(ticket.status, Action.DISPATCH, actor.role, number=ticket.number)
    unit = await _set_units(session, ticket=ticket, unit_id=unit_id, co_unit_ids=co_unit_ids)
    _start_deadlines(ticket, rules=rules)
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.DISPATCH,
                              note=note, data={"unit_id": unit.id, "co_unit_ids": list(co_unit_ids)})
    await _announce_dispatch(session, rules=rules, ticket=ticket, event=event, unit=unit)
    return ticket


async def _announce_dispatch(session: AsyncSession, *, rules: Rules, ticket: Ticket, event: TicketEvent,
                             unit: Unit) -> None:
    text = texts.N_DISPATCHED.format(
        number=ticket.number, urgency=texts.URGENCY[ticket.urgency], category=ticket.category or "未分类",
        summary=summary(ticket), first_contact_due=texts.fmt_local(ticket.first_contact_due_at),
        due=texts.fmt_local(ticket.due_at),
    )
    units = [unit.id, *await co_unit_ids(session, ticket=ticket)]
    await _notify_unit(session, rules=rules, ticket=ticket, event=event, kind="ticket_dispatched", text=text,
                       unit_ids=[u for u in units if u is not None])
    await _notify_citizen(session, rules=rules, ticket=ticket, event=event, kind="ticket_dispatched",
                          text=texts.N_DISPATCHED_CITIZEN.format(number=ticket.number, unit=unit.name,
                                                                 due=texts.fmt_local(ticket.due_at)))


async def direct_answer(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, answer: str) -> Ticket:
    """平台直接答复: answered by the hotline without dispatch."""
    answer = _require(answer, "答复内容")
    ticket = await get_ticket(session, number=number)
    workflow.check(ticket.status, Action.DIRECT_ANSWER, actor.role, number=ticket.number)
    now = rules.now()
    ticket.reply_text, ticket.replied_at, ticket.closed_at = answer, now, now
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.DIRECT_ANSWER,
                              note=answer)
    await _notify_citizen(session, rules=rules, ticket=ticket, event=event, kind="direct_answer",
                          text=texts.N_DIRECT_ANSWER_CITIZEN.format(number=ticket.number, note=answer))
    return ticket


async def send_back(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, reason: str) -> Ticket:
    """Out of jurisdiction: returned to the sender (初步分类)."""
    reason = _require(reason, "退回原因")
    ticket = await get_ticket(session, number=number)
    workflow.check(ticket.status, Action.SEND_BACK, actor.role, number=ticket.number)
    ticket.closed_at = rules.now()
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.SEND_BACK,
                              note=reason)
    await _notify_citizen(session, rules=rules, ticket=ticket, event=event, kind="sent_back",
                          text=texts.N_SENT_BACK_CITIZEN.format(number=ticket.number))
    return ticket


# --- the unit's work -------------------------------------------------------------


async def accept(session: AsyncSession, *, rules: Rules, actor: Actor, number: str) -> Ticket:
    ticket = await get_ticket(session, number=number)
    await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.ACCEPT)
    ticket.accepted_at = rules.now()
    return ticket


async def first_contact(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, reached: bool,
                        note: str = "") -> Ticket:
    """One call to the citizen (先行联系). Unreachable calls count when spaced by the policy gap."""
    ticket = await get_ticket(session, number=number)
    was_dispatched = ticket.status is TicketStatus.DISPATCHED
    attempt = await _valid_attempt(session, rules=rules, ticket=ticket, reached=reached)
    await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.FIRST_CONTACT,
                      note=note, data={"reached": reached, "counted": attempt})
    now = rules.now()
    if was_dispatched:
        ticket.accepted_at = now
    if attempt:
        ticket.first_contact_attempts += 1
    if reached and ticket.first_contact_at is None:
        ticket.first_contact_at = now
    return ticket


async def _valid_attempt(session: AsyncSession, *, rules: Rules, ticket: Ticket, reached: bool) -> bool:
    """A failed call counts only if at least the policy gap after the last counted one (3 calls, 1 h apart)."""
    if reached:
        return True
    rows = await session.exec(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == Action.FIRST_CONTACT)
        .order_by(col(TicketEvent.at).desc())
    )
    gap = rules.policy.contact.min_gap_between_attempts
    for previous in rows.all():
        if previous.data.get("counted"):
            return rules.calendar.add(previous.at, gap) <= rules.now()
    return True


async def site_visit(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, findings: str) -> Ticket:
    findings = _require(findings, "现场查看情况")
    ticket = await get_ticket(session, number=number)
    await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.SITE_VISIT, note=findings)
    ticket.site_visit_at = rules.now()
    return ticket


async def request_return(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, reason: str,
                         suggested_unit: str) -> Ticket:
    """退单: only within the return window after receipt, with a reason and the presumed unit."""
    reason = _require(reason, "退单理由")
    suggested_unit = _require(suggested_unit, "建议承办单位")
    ticket = await get_ticket(session, number=number)
    workflow.check(ticket.status, Action.REQUEST_RETURN, actor.role, number=ticket.number)
    if ticket.return_window_until is not None and rules.now() > ticket.return_window_until:
        raise WindowClosed(texts.ERR_RETURN_WINDOW.format(
            limit=describe_period(rules.policy.deadlines.return_window)))
    ticket.pending_request = {"kind": "return", "reason": reason, "suggested_unit": suggested_unit,
                              "previous_status": ticket.status.value}
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.REQUEST_RETURN,
                              note=reason, data={"suggested_unit": suggested_unit})
    unit = await get_unit(session, unit_id=ticket.main_unit_id)
    await _notify_office(session, rules=rules, ticket=ticket, event=event, kind="return_requested",
                         text=texts.N_RETURN_REQUESTED.format(unit=unit.name, number=ticket.number, reason=reason))
    return ticket


async def decide_return(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, approve: bool,
                        new_unit_id: int | None = None, note: str = "") -> Ticket:
    """The office approves (and re-dispatches to the unit with the closest function) or refuses."""
    ticket = await get_ticket(session, number=number)
    action = Action.APPROVE_RETURN if approve else Action.REFUSE_RETURN
    workflow.check(ticket.status, action, actor.role, number=ticket.number)
    old_unit_id = ticket.main_unit_id
    if approve:
        if new_unit_id is None:
            raise ValidationFailed(texts.ERR_REASON_REQUIRED.format(what="改派的承办单位"))
        if new_unit_id == old_unit_id:
            raise ValidationFailed(texts.ERR_SAME_UNIT)
        new_unit = await _set_units(session, ticket=ticket, unit_id=new_unit_id, co_unit_ids=())
        _start_deadlines(ticket, rules=rules)
    else:
        note = _require(note, "不同意退单的理由")
        if ticket.accepted_at is None:
            ticket.accepted_at = rules.now()
    ticket.pending_request = {}
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=action, note=note,
                              data={"old_unit_id": old_unit_id, "new_unit_id": new_unit_id})
    if approve:
        await _notify_unit(session, rules=rules, ticket=ticket, event=event, kind="return_approved",
                           text=texts.N_RETURN_APPROVED.format(number=ticket.number, new_unit=new_unit.name),
                           unit_ids=[old_unit_id] if old_unit_id else [])
        await _announce_dispatch(session, rules=rules, ticket=ticket, event=event, unit=new_unit)
    else:
        await _notify_unit(session, rules=rules, ticket=ticket, event=event, kind="return_refused",
                           text=texts.N_RETURN_REFUSED.format(number=ticket.number, note=note))
    return ticket


async def request_extension(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, days: int,
                            reason: str) -> Ticket:
    """延期 for a hard case, asked within the extension window after receipt."""
    reason = _require(reason, "延期理由")
    limit = rules.policy.limits.extension_max_working_days
    if not 1 <= days <= limit:
        raise ValidationFailed(texts.ERR_EXTENSION_DAYS.format(limit=limit))
    ticket = await get_ticket(session, number=number)
    workflow.check(ticket.status, Action.REQUEST_EXTENSION, actor.role, number=ticket.number)
    if ticket.extension_window_until is not None and rules.now() > ticket.extension_window_until:
        raise WindowClosed(texts.ERR_EXTENSION_WINDOW.format(
            limit=describe_period(rules.policy.deadlines.extension_window)))
    ticket.pending_request = {"kind": "extension", "days": days, "reason": reason}
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket,
                              action=Action.REQUEST_EXTENSION, note=reason, data={"days": days})
    unit = await get_unit(session, unit_id=ticket.main_unit_id)
    await _notify_office(session, rules=rules, ticket=ticket, event=event, kind="extension_requested",
                         text=texts.N_EXTENSION_REQUESTED.format(unit=unit.name, number=ticket.number, days=days,
                                                                 reason=reason))
    return ticket


async def decide_extension(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, approve: bool,
                           note: str = "") -> Ticket:
    ticket = await get_ticket(session, number=number)
    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    workflow.check(ticket.status, action, actor.role, number=ticket.number)
    days = int(ticket.pending_request.get("days", 0))
    old_due = ticket.due_at
    if approve:
        if ticket.due_at is not None:
            ticket.due_at = rules.calendar.add_working_days(ticket.due_at, days)
        ticket.extended_days += days
    else:
        note = _require(note, "不同意延期的理由")
    ticket.pending_request = {}
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=action, note=note,
                              data={"days": days, "old_due_at": old_due.isoformat() if old_due else None})
    if approve:
        text = texts.N_EXTENSION_APPROVED.format(number=ticket.number, due=texts.fmt_local(ticket.due_at))
        kind = "extension_approved"
    else:
        text = texts.N_EXTENSION_REFUSED.format(number=ticket.number, note=note, due=texts.fmt_local(ticket.due_at))
        kind = "extension_refused"
    await _notify_unit(session, rules=rules, ticket=ticket, event=event, kind=kind, text=text)
    return ticket


async def reply(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, data: ReplyData) -> Ticket:
    """办结回复: refused unless the citizen was contacted and every required element is there."""
    ticket = await get_ticket(session, number=number)
    workflow.check(ticket.status, Action.REPLY, actor.role, number=ticket.number)
    unreachable = ticket.first_contact_attempts >= rules.policy.contact.attempts_when_unreachable
    if ticket.first_contact_at is None and not unreachable:
        raise ValidationFailed(texts.ERR_REPLY_NO_CONTACT)
    required = ["text", "contact_person", "facts", "judgement", "citizen_opinion", "answered_by"]
    if ticket.site_visit_at is not None:
        required.append("site_findings")
    missing = [texts.REPLY_ELEMENT[name] for name in required if not getattr(data, name)]
    if data.answered_at is None:
        missing.append(texts.REPLY_ELEMENT["answered_at"])
    if data.text and len(data.text) < rules.policy.limits.reply_min_chars and "回复正文" not in missing:
        missing.append(f"回复正文（至少 {rules.policy.limits.reply_min_chars} 字）")
    if missing:
        raise ValidationFailed(texts.ERR_REPLY_MISSING.format(missing="、".join(missing)))
    _check_length(data.text, NOTE_MAX, "回复正文")
    ticket.result = data.result
    ticket.reply_text = data.text
    ticket.reply_details = data.model_dump(mode="json", exclude={"text", "result"}) | {
        "first_contact_at": ticket.first_contact_at.isoformat() if ticket.first_contact_at else None,
        "unreachable": ticket.first_contact_at is None,
    }
    ticket.replied_at = rules.now()
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.REPLY,
                              note=data.text, data={"result": data.result.value})
    unit = await get_unit(session, unit_id=ticket.main_unit_id)
    await _notify_office(session, rules=rules, ticket=ticket, event=event, kind="ticket_replied",
                         text=texts.N_REPLIED.format(unit=unit.name, number=ticket.number,
                                                     result=texts.RESULT[data.result]))
    return ticket


# --- review, callback and closing ---------------------------------------------------


def callback_outcome(answers: CallbackAnswers) -> Action:
    """先回访后结案: not contacted, not solved or not satisfied → rework; otherwise close."""
    if not answers.reached:
        return Action.CALLBACK_ATTEMPT
    if answers.contacted is False or answers.solved is False or answers.satisfaction is Satisfaction.UNSATISFIED:
        return Action.REWORK
    return Action.CLOSE


async def record_callback(session: AsyncSession, *, rules: Rules, actor: Actor, number: str,
                          answers: CallbackAnswers) -> Ticket:
    """Store the callback answers and close the ticket or send it back for rework."""
    ticket = await get_ticket(session, number=number)
    if answers.reached:
        missing = [label for name, label in texts.CALLBACK_ELEMENT.items() if getattr(answers, name) is None]
        if missing:
            raise ValidationFailed(texts.ERR_CALLBACK_INCOMPLETE.format(missing="、".join(missing)))
    action = callback_outcome(answers)
    workflow.check(ticket.status, action, actor.role, number=ticket.number)
    ticket.callback_at = rules.now()
    ticket.callback_reached = answers.reached
    if answers.reached:
        ticket.cb_contacted, ticket.cb_answered = answers.contacted, answers.answered
        ticket.cb_solved, ticket.cb_satisfaction = answers.solved, answers.satisfaction
    data = answers.model_dump(mode="json")
    if action is Action.CLOSE:
        ticket.closed_at = rules.now()
        event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=action,
                                  note=answers.note, data=data)
        await _notify_citizen(session, rules=rules, ticket=ticket, event=event, kind="ticket_closed",
                              text=texts.N_CLOSED_CITIZEN.format(number=ticket.number))
    elif action is Action.REWORK:
        await _rework(session, rules=rules, actor=actor, ticket=ticket,
                      note=answers.note or "回访结果为未联系、未解决或不满意", data=data)
    else:
        await _transition(session, rules=rules, actor=actor, ticket=ticket, action=action, note=answers.note,
                          data=data)
    return ticket


async def rework(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str) -> Ticket:
    """退回重办 after the office's review of a reply."""
    note = _require(note, "退回重办的理由")
    ticket = await get_ticket(session, number=number)
    await _rework(session, rules=rules, actor=actor, ticket=ticket, note=note, data={})
    return ticket


async def _rework(session: AsyncSession, *, rules: Rules, actor: Actor, ticket: Ticket, note: str,
                  data: dict[str, Any]) -> None:
    workflow.check(ticket.status, Action.REWORK, actor.role, number=ticket.number)
    ticket.rework_count += 1
    ticket.result = None
    ticket.replied_at = None
    # Rework restarts the handling period: the unit gets a full new term for a second reply.
    ticket.due_at = rules.calendar.add(rules.now(), completion_period(rules.policy, ticket.urgency))
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.REWORK, note=note,
                              data=data)
    await _notify_unit(session, rules=rules, ticket=ticket, event=event, kind="rework",
                       text=texts.N_REWORK.format(number=ticket.number, note=note))


# --- supervision and flags ---------------------------------------------------------


async def supervise(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str = "") -> Ticket:
    ticket = await get_ticket(session, number=number)
    ticket.supervised = True
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.SUPERVISE, note=note)
    if ticket.main_unit_id:
        await _notify_unit(session, rules=rules, ticket=ticket, event=event, kind="supervised",
                           text=texts.N_SUPERVISED.format(number=ticket.number, note=note))
    return ticket


async def archive(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str) -> Ticket:
    """存电: a repeated complaint shown unfounded; later ones are left out of satisfaction."""
    note = _require(note, "存电理由")
    ticket = await get_ticket(session, number=number)
    ticket.archived = True
    await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.ARCHIVE, note=note)
    return ticket


async def urge(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str = "") -> Ticket:
    ticket = await get_ticket(session, number=number)
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.URGE, note=note)
    await _notify_unit(session, rules=rules, ticket=ticket, event=event, kind="urged",
                       text=texts.N_URGED.format(number=ticket.number, note=note))
    return ticket


async def recall(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str = "") -> Ticket:
    ticket = await get_ticket(session, number=number)
    ticket.closed_at = rules.now()
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.RECALL, note=note)
    if ticket.main_unit_id:
        await _notify_unit(session, rules=rules, ticket=ticket, event=event, kind="recalled",
                           text=texts.N_RECALLED.format(number=ticket.number))
    return ticket


async def recheck(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str = "") -> Ticket:
    """复核: a closed ticket goes back to its unit, to be answered in writing within the recheck term."""
    ticket = await get_ticket(session, number=number)
    workflow.check(ticket.status, Action.RECHECK, actor.role, number=ticket.number)
    now = rules.now()
    ticket.closed_at = None
    ticket.dispatched_at = now
    ticket.due_at = rules.calendar.add(now, rules.policy.deadlines.recheck)
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.RECHECK, note=note)
    await _notify_unit(session, rules=rules, ticket=ticket, event=event, kind="recheck",
                       text=texts.N_RECHECK.format(number=ticket.number, due=texts.fmt_local(ticket.due_at),
                                                   note=note))
    return ticket


# --- duty logins ----------------------------------------------------------------------


async def record_duty_login(session: AsyncSession, *, rules: Rules, unit_id: int, staff_id: int | None) -> None:
    """The unit's duty login for today (Shanghai date); the first login of the day is kept."""
    now = rules.now()
    statement = insert_for(session)(DutyLogin).values(
        unit_id=unit_id, work_date=local(now).date(), first_login_at=now, staff_id=staff_id
    ).on_conflict_do_nothing(index_elements=["unit_id", "work_date"])
    await session.exec(statement)  # type: ignore[call-overload]


def load_rules(settings: Settings | None = None, *, clock: Clock | None = None,
               policy_file: Path | None = None) -> Rules:
    settings = settings or Settings()
    if policy_file is not None:
        settings = settings.model_copy(update={"policy_file": policy_file})
    return Rules.from_settings(settings, clock)
