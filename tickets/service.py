"""Service functions of the ticket domain: the only place where tickets change.

Each function is keyword-only, session first. It checks the transition against
tickets.workflow, writes the change, one TicketEvent and the messages for the people
to tell (tickets.messaging decides who and writes the outbox) — all in the caller's
transaction, so either everything is stored or nothing is. Nothing is sent from here:
the outbox worker sends. New tickets come in through tickets.intake, the one door of
every channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import calls, texts, whistles, workflow
from tickets.context import Actor, Rules
from tickets.deadlines import start_deadlines, ticket_completion_period
from tickets.enums import OPEN_STATUSES, Action, Channel, Role, Satisfaction, TicketStatus
from tickets.errors import Forbidden, ValidationFailed
from tickets.events import record_event as _record_event
from tickets.logins import record_duty_login
from tickets.messaging import MessageKind, report_upstream, summary, tell
from tickets.models import CallRecord, EnterpriseRequest, Ticket, TicketCoUnit, TicketEvent, Unit
from tickets.queries import co_unit_ids, get_ticket, get_unit
from tickets.routing_labels import correct_after_return, record_dispatch
from tickets.rows import saved_id
from tickets.schemas import CallbackAnswers, ReplyData, check_length, require


def _check_owner(ticket: Ticket, actor: Actor) -> None:
    """A handler acts only on its unit's tickets, a citizen only on their own."""
    if actor.role is Role.HANDLER and ticket.main_unit_id != actor.unit_id:
        raise Forbidden(texts.ERR_OTHER_UNIT.format(number=ticket.number))
    if actor.role is Role.CITIZEN and ticket.citizen_id != actor.id:
        raise Forbidden(texts.ERR_NOT_OWN_TICKET)


async def _ticket_for(session: AsyncSession, *, actor: Actor, number: str) -> Ticket:
    """The ticket an action is about, once the actor is known to own it: ownership comes
    before the state, the windows and the deadlines, so that a stranger learns nothing of
    them (only that the ticket is not theirs)."""
    ticket = await get_ticket(session, number=number)
    _check_owner(ticket, actor)
    return ticket


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
    _check_owner(ticket, actor)
    target = workflow.check(ticket.status, action, actor.role, number=ticket.number)
    # One limit for every free text an event keeps (and a notification may quote).
    limit = rules.policy.limits.note_max_chars
    check_length(note, limit, texts.WHAT_NOTE)
    for value in (data or {}).values():
        check_length(value if isinstance(value, str) else None, limit, texts.WHAT_NOTE)
    before = ticket.status
    ticket.status = target
    ticket.updated_at = rules.now()
    session.add(ticket)
    event = await _record_event(
        session,
        rules=rules,
        ticket=ticket,
        actor=actor,
        action=action,
        from_status=before,
        note=note,
        data=data,
    )
    if actor.role is Role.HANDLER and actor.unit_id is not None:
        # Any handler action counts as the unit's duty login for the day (DOMAIN §5).
        await record_duty_login(session, rules=rules, unit_id=actor.unit_id, staff_id=actor.id)
    if ticket.status not in OPEN_STATUSES:
        # A whistle lives as long as its ticket (吹哨报到): closed, recalled or sent back, it ends.
        await whistles.close_with_ticket(session, rules=rules, ticket=ticket)
    if ticket.channel is Channel.UPSTREAM and action in UPSTREAM_REPORTED:
        await report_upstream(session, rules=rules, ticket=ticket, event_id=event.id, action=action.value,
                              note=note, at=event.at.isoformat())
    return event


async def transition(session: AsyncSession, *, rules: Rules, actor: Actor, ticket: Ticket, action: Action,
                     note: str = "", data: dict[str, Any] | None = None) -> TicketEvent:
    """One transition of the table with its audit event, for the domain modules beside this one
    (tickets.mailbox) whose action changes their own rows and not the ticket's columns."""
    return await _transition(
        session, rules=rules, actor=actor, ticket=ticket, action=action, note=note, data=data
    )


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


# --- office intake --------------------------------------------------------------


async def brief_contact(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, reached: bool,
                        note: str = "") -> Ticket:
    ticket = await _ticket_for(session, actor=actor, number=number)
    await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.BRIEF_CONTACT,
                      note=note, data={"reached": reached})
    if reached and ticket.brief_contact_at is None:
        ticket.brief_contact_at = rules.now()
    return ticket


async def _set_units(
    session: AsyncSession, *, ticket: Ticket, unit_id: int, co_unit_ids: Sequence[int]
) -> Unit:
    unit = await get_unit(session, unit_id=unit_id)
    if not unit.active:
        raise ValidationFailed(texts.ERR_UNIT_INACTIVE.format(unit=unit.name))
    co = [u for u in dict.fromkeys(co_unit_ids) if u != unit_id]
    for co_id in co:
        await get_unit(session, unit_id=co_id)
    for link in (await session.exec(select(TicketCoUnit).where(TicketCoUnit.ticket_id == ticket.id))).all():
        await session.delete(link)
    for co_id in co:
        session.add(TicketCoUnit(ticket_id=saved_id(ticket), unit_id=co_id))
    ticket.main_unit_id = unit.id
    return unit


async def is_enterprise(session: AsyncSession, *, ticket: Ticket) -> bool:
    """An enterprise's request (政企通) runs on the enterprise terms whoever dispatches it."""
    return await session.get(EnterpriseRequest, ticket.id) is not None


async def dispatch(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, unit_id: int,
                   co_unit_ids: Sequence[int] = (), note: str = "") -> Ticket:
    """派单 to a main unit and optional co-handling units."""
    ticket = await _ticket_for(session, actor=actor, number=number)
    workflow.check(ticket.status, Action.DISPATCH, actor.role, number=ticket.number)
    unit = await _set_units(session, ticket=ticket, unit_id=unit_id, co_unit_ids=co_unit_ids)
    start_deadlines(ticket, rules=rules, enterprise=await is_enterprise(session, ticket=ticket))
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.DISPATCH,
                              note=note, data={"unit_id": unit.id, "co_unit_ids": list(co_unit_ids)})
    await record_dispatch(session, ticket=ticket, unit_id=unit.id, co_unit_ids=co_unit_ids,  # type: ignore[arg-type]
                          suggester=rules.unit_suggester, at=event.at)
    await _announce_dispatch(session, rules=rules, ticket=ticket, event=event, unit=unit)
    return ticket


async def _announce_dispatch(session: AsyncSession, *, rules: Rules, ticket: Ticket, event: TicketEvent,
                             unit: Unit) -> None:
    text = texts.N_DISPATCHED.format(
        number=ticket.number,
        urgency=texts.URGENCY[ticket.urgency],
        category=ticket.category or texts.UNCATEGORISED,
        summary=summary(ticket.content),
        first_contact_due=texts.fmt_local(ticket.first_contact_due_at),
        due=texts.fmt_local(ticket.due_at),
        place=ticket.place or "—",
    )
    units = [unit.id, *await co_unit_ids(session, ticket=ticket)]
    await tell(
        session,
        rules=rules,
        ticket=ticket,
        event_id=event.id,
        kind=MessageKind.TICKET_DISPATCHED,
        text=text,
        unit_ids=[u for u in units if u is not None],
    )
    await tell(
        session,
        rules=rules,
        ticket=ticket,
        event_id=event.id,
        kind=MessageKind.TICKET_DISPATCHED_CITIZEN,
        text=texts.N_DISPATCHED_CITIZEN.format(
            number=ticket.number, unit=unit.name, due=texts.fmt_local(ticket.due_at)
        ),
    )


async def direct_answer(
    session: AsyncSession, *, rules: Rules, actor: Actor, number: str, answer: str
) -> Ticket:
    """平台直接答复: answered by the hotline without dispatch."""
    answer = require(answer, texts.WHAT_ANSWER)
    ticket = await _ticket_for(session, actor=actor, number=number)
    workflow.check(ticket.status, Action.DIRECT_ANSWER, actor.role, number=ticket.number)
    now = rules.now()
    ticket.reply_text, ticket.replied_at, ticket.closed_at = answer, now, now
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.DIRECT_ANSWER,
                              note=answer)
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.DIRECT_ANSWER,
               text=texts.N_DIRECT_ANSWER_CITIZEN.format(number=ticket.number, note=answer))
    return ticket


async def send_back(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, reason: str) -> Ticket:
    """Out of jurisdiction: returned to the sender (初步分类)."""
    reason = require(reason, texts.WHAT_SEND_BACK)
    ticket = await _ticket_for(session, actor=actor, number=number)
    workflow.check(ticket.status, Action.SEND_BACK, actor.role, number=ticket.number)
    ticket.closed_at = rules.now()
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.SEND_BACK,
                              note=reason)
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.SENT_BACK,
               text=texts.N_SENT_BACK_CITIZEN.format(number=ticket.number))
    return ticket


# --- the unit's work -------------------------------------------------------------


async def accept(session: AsyncSession, *, rules: Rules, actor: Actor, number: str) -> Ticket:
    ticket = await _ticket_for(session, actor=actor, number=number)
    await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.ACCEPT)
    ticket.accepted_at = rules.now()
    return ticket


async def first_contact(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, reached: bool,
                        note: str = "") -> Ticket:
    """One call to the citizen (先行联系). Unreachable calls count when spaced by the policy gap."""
    ticket = await _ticket_for(session, actor=actor, number=number)
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
    if calls.evidence_applies(ticket, rules.policy):
        assert ticket.id is not None
        made = await calls.ticket_calls(session, ticket_id=ticket.id)
        if not calls.backs_press(ticket, made, reached=reached, now=now):
            what = texts.CONTACT_UNPROVEN_REACHED if reached else texts.CONTACT_UNPROVEN_UNREACHED
            await _transition(
                session,
                rules=rules,
                actor=Actor.system(texts.CALL_PLATFORM),
                ticket=ticket,
                action=Action.CONTACT_UNPROVEN,
                note=texts.CONTACT_UNPROVEN_NOTE.format(what=what),
                data={"reached": reached},
            )
    return ticket


async def record_call(session: AsyncSession, *, rules: Rules, report: calls.CallReport,
                      clock_skew_seconds: int = 0) -> CallRecord:
    """A 双呼 call record attached to its ticket: stored, noted in the audit trail of an open
    ticket, and the ticket's contact proofs judged again. The caller makes it idempotent (the
    call id is unique: a concurrent duplicate fails on insert and is read back instead)."""
    calls.check_report(report, now=rules.now(), tolerance_seconds=clock_skew_seconds)
    ticket = await calls.ticket_for_call(session, number=report.ticket_number)
    unit = await get_unit(session, unit_id=report.calling_unit_id)
    assert ticket.id is not None
    record = CallRecord(
        call_id=report.call_id,
        ticket_id=ticket.id,
        calling_unit_id=report.calling_unit_id,
        calling_staff=report.calling_staff,
        callee_phone=report.callee_phone,
        dialed_at=report.dialed_at,
        answered_at=report.answered_at,
        hung_up_at=report.hung_up_at,
        outcome=report.outcome,
        recording_ref=report.recording_ref,
        received_at=rules.now(),
    )
    session.add(record)
    await session.flush()
    made = await calls.ticket_calls(session, ticket_id=ticket.id)
    calls.refresh_proofs(ticket, made, policy=rules.policy, calendar=rules.calendar)
    session.add(ticket)
    if ticket.status in OPEN_STATUSES:
        stage = calls.stage_of(ticket, record)
        note = texts.CALL_NOTE.format(stage=texts.CALL_STAGE[stage.value if stage else ""], unit=unit.name,
                                      staff=report.calling_staff, dialed=texts.fmt_local(report.dialed_at),
                                      outcome=texts.CALL_OUTCOME[report.outcome])
        await _transition(session, rules=rules, actor=Actor.system(texts.CALL_PLATFORM), ticket=ticket,
                          action=Action.CALL_RECORDED, note=note,
                          data={"call_id": report.call_id, "outcome": report.outcome.value,
                                "stage": stage.value if stage else None, "unit_id": unit.id,
                                "to_citizen": calls.to_the_citizen(ticket, record),
                                "recording_ref": report.recording_ref})
    return record


async def _valid_attempt(session: AsyncSession, *, rules: Rules, ticket: Ticket, reached: bool) -> bool:
    """A failed call counts only if at least the policy gap after the last counted one (3 calls, 1 h
    apart)."""
    if reached:
        return True
    rows = await session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.action == Action.FIRST_CONTACT)
        .order_by(col(TicketEvent.at).desc())
    )
    gap = rules.policy.contact.min_gap_between_attempts
    for previous in rows.all():
        if previous.data.get("counted"):
            return rules.calendar.add(previous.at, gap) <= rules.now()
    return True


async def site_visit(
    session: AsyncSession, *, rules: Rules, actor: Actor, number: str, findings: str
) -> Ticket:
    findings = require(findings, texts.WHAT_SITE_FINDINGS)
    ticket = await _ticket_for(session, actor=actor, number=number)
    await _transition(
        session, rules=rules, actor=actor, ticket=ticket, action=Action.SITE_VISIT, note=findings
    )
    ticket.site_visit_at = rules.now()
    return ticket


async def request_return(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, reason: str,
                         suggested_unit: str) -> Ticket:
    """退单: only within the return window after receipt, with a reason and the presumed unit."""
    reason = require(reason, texts.WHAT_RETURN_REASON)
    suggested_unit = require(suggested_unit, texts.WHAT_SUGGESTED_UNIT)
    ticket = await _ticket_for(session, actor=actor, number=number)
    workflow.check_now(ticket, Action.REQUEST_RETURN, actor.role, now=rules.now(), policy=rules.policy)
    ticket.pending_request = {"kind": "return", "reason": reason, "suggested_unit": suggested_unit,
                              "previous_status": ticket.status.value}
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.REQUEST_RETURN,
                              note=reason, data={"suggested_unit": suggested_unit})
    unit = await get_unit(session, unit_id=ticket.main_unit_id)
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.RETURN_REQUESTED,
               text=texts.N_RETURN_REQUESTED.format(unit=unit.name, number=ticket.number, reason=reason))
    return ticket


async def decide_return(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, approve: bool,
                        new_unit_id: int | None = None, note: str = "") -> Ticket:
    """The office approves (and re-dispatches to the unit with the closest function) or refuses."""
    ticket = await _ticket_for(session, actor=actor, number=number)
    action = Action.APPROVE_RETURN if approve else Action.REFUSE_RETURN
    workflow.check(ticket.status, action, actor.role, number=ticket.number)
    old_unit_id = ticket.main_unit_id
    if approve:
        if new_unit_id is None:
            raise ValidationFailed(texts.ERR_REASON_REQUIRED.format(what=texts.WHAT_NEW_UNIT))
        if new_unit_id == old_unit_id:
            raise ValidationFailed(texts.ERR_SAME_UNIT)
        new_unit = await _set_units(session, ticket=ticket, unit_id=new_unit_id, co_unit_ids=())
        start_deadlines(ticket, rules=rules, enterprise=await is_enterprise(session, ticket=ticket))
        await correct_after_return(session, ticket=ticket, new_unit_id=new_unit_id, at=rules.now())
    else:
        note = require(note, texts.WHAT_RETURN_REFUSAL)
        if ticket.accepted_at is None:
            ticket.accepted_at = rules.now()
    ticket.pending_request = {}
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=action, note=note,
                              data={"old_unit_id": old_unit_id, "new_unit_id": new_unit_id})
    if approve:
        await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.RETURN_APPROVED,
                   text=texts.N_RETURN_APPROVED.format(number=ticket.number, new_unit=new_unit.name),
                   unit_ids=[old_unit_id] if old_unit_id else [])
        await _announce_dispatch(session, rules=rules, ticket=ticket, event=event, unit=new_unit)
    else:
        await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.RETURN_REFUSED,
                   text=texts.N_RETURN_REFUSED.format(number=ticket.number, note=note))
    return ticket


async def request_extension(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, days: int,
                            reason: str) -> Ticket:
    """延期 for a hard case, asked within the extension window after receipt."""
    reason = require(reason, texts.WHAT_EXTENSION_REASON)
    limit = rules.policy.limits.extension_max_working_days
    if not 1 <= days <= limit:
        raise ValidationFailed(texts.ERR_EXTENSION_DAYS.format(limit=limit))
    ticket = await _ticket_for(session, actor=actor, number=number)
    workflow.check_now(ticket, Action.REQUEST_EXTENSION, actor.role, now=rules.now(), policy=rules.policy)
    ticket.pending_request = {"kind": "extension", "days": days, "reason": reason}
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket,
                              action=Action.REQUEST_EXTENSION, note=reason, data={"days": days})
    unit = await get_unit(session, unit_id=ticket.main_unit_id)
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.EXTENSION_REQUESTED,
               text=texts.N_EXTENSION_REQUESTED.format(unit=unit.name, number=ticket.number, days=days,
               reason=reason))
    return ticket


async def decide_extension(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, approve: bool,
                           note: str = "") -> Ticket:
    ticket = await _ticket_for(session, actor=actor, number=number)
    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    workflow.check(ticket.status, action, actor.role, number=ticket.number)
    days = int(ticket.pending_request.get("days", 0))
    old_due = ticket.due_at
    if approve:
        if ticket.due_at is not None:
            ticket.due_at = rules.calendar.add_working_days(ticket.due_at, days)
        ticket.extended_days += days
    else:
        note = require(note, texts.WHAT_EXTENSION_REFUSAL)
    ticket.pending_request = {}
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=action, note=note,
                              data={"days": days, "old_due_at": old_due.isoformat() if old_due else None})
    if approve:
        text = texts.N_EXTENSION_APPROVED.format(number=ticket.number, due=texts.fmt_local(ticket.due_at))
        kind = MessageKind.EXTENSION_APPROVED
    else:
        text = texts.N_EXTENSION_REFUSED.format(
            number=ticket.number, note=note, due=texts.fmt_local(ticket.due_at)
        )
        kind = MessageKind.EXTENSION_REFUSED
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=kind, text=text)
    return ticket


def reply_elements(ticket: Ticket) -> list[str]:
    """The ReplyData fields a reply must fill (DOMAIN §3 step 7); the findings only after a visit.
    `answered_at` is required as well (checked on its own: it is a time, not a text)."""
    required = ["text", "contact_person", "facts", "judgement", "citizen_opinion", "answered_by"]
    if ticket.site_visit_at is not None:
        required.append("site_findings")
    return required


async def reply(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, data: ReplyData) -> Ticket:
    """办结回复: refused unless the citizen was contacted and every required element is there."""
    ticket = await _ticket_for(session, actor=actor, number=number)
    workflow.check_now(ticket, Action.REPLY, actor.role, now=rules.now(), policy=rules.policy)
    required = reply_elements(ticket)
    missing = [texts.REPLY_ELEMENT[name] for name in required if not getattr(data, name)]
    if data.answered_at is None:
        missing.append(texts.REPLY_ELEMENT["answered_at"])
    body_label = texts.REPLY_ELEMENT["text"]
    if data.text and len(data.text) < rules.policy.limits.reply_min_chars and body_label not in missing:
        missing.append(texts.REPLY_TEXT_TOO_SHORT.format(limit=rules.policy.limits.reply_min_chars))
    if missing:
        raise ValidationFailed(texts.ERR_REPLY_MISSING.format(missing="、".join(missing)))
    for name, value in data.model_dump().items():
        if isinstance(value, str):
            check_length(value, rules.policy.limits.note_max_chars, texts.REPLY_ELEMENT.get(name, name))
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
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.TICKET_REPLIED,
               text=texts.N_REPLIED.format(unit=unit.name, number=ticket.number,
               result=texts.RESULT[data.result]))
    # The citizen reads the answer now, before anyone asks them to rate it.
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.REPLY_TO_CITIZEN,
               text=reply_to_citizen_text(ticket, unit=unit, rules=rules))
    return ticket


def reply_to_citizen_text(ticket: Ticket, *, unit: Unit | None, rules: Rules) -> str:
    """What the citizen reads of a unit's reply (pushed, and in /status): result, answer, unit,
    and how to contest it."""
    hotline = rules.policy.hotline
    return texts.N_REPLY_TO_CITIZEN.format(
        number=ticket.number,
        unit=unit.name if unit is not None else texts.UNIT_UNKNOWN,
        result=texts.RESULT[ticket.result] if ticket.result else texts.RESULT_DIRECT,
        reply=ticket.reply_text or "",
        contest=texts.REPLY_CONTEST.format(phone=hotline.phone, hours=hotline.hours),
    )


# --- review, callback and closing ---------------------------------------------------


def callback_outcome(answers: CallbackAnswers) -> Action:
    """先回访后结案: not contacted, not solved or not satisfied → rework; otherwise close."""
    if not answers.reached:
        return Action.CALLBACK_ATTEMPT
    if (
        answers.contacted is False
        or answers.solved is False
        or answers.satisfaction is Satisfaction.UNSATISFIED
    ):
        return Action.REWORK
    return Action.CLOSE


async def record_callback(session: AsyncSession, *, rules: Rules, actor: Actor, number: str,
                          answers: CallbackAnswers) -> Ticket:
    """Store the callback answers and close the ticket or send it back for rework."""
    ticket = await _ticket_for(session, actor=actor, number=number)
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
        await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.TICKET_CLOSED,
                   text=texts.N_CLOSED_CITIZEN.format(number=ticket.number))
    elif action is Action.REWORK:
        await _rework(session, rules=rules, actor=actor, ticket=ticket,
                      note=answers.note or texts.REWORK_AFTER_CALLBACK, data=data)
    else:
        await _transition(session, rules=rules, actor=actor, ticket=ticket, action=action, note=answers.note,
                          data=data)
    return ticket


async def rework(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str) -> Ticket:
    """退回重办 after the office's review of a reply."""
    note = require(note, texts.WHAT_REWORK_REASON)
    ticket = await _ticket_for(session, actor=actor, number=number)
    await _rework(session, rules=rules, actor=actor, ticket=ticket, note=note, data={})
    return ticket


async def _rework(session: AsyncSession, *, rules: Rules, actor: Actor, ticket: Ticket, note: str,
                  data: dict[str, Any]) -> None:
    workflow.check(ticket.status, Action.REWORK, actor.role, number=ticket.number)
    ticket.rework_count += 1
    ticket.result = None
    ticket.replied_at = None
    # Rework restarts the handling period: the unit gets a full new term for a second reply.
    term = rules.policy.enterprise.completion if await is_enterprise(session, ticket=ticket) \
        else ticket_completion_period(rules.policy, ticket)
    ticket.due_at = rules.calendar.add(rules.now(), term)
    event = await _transition(
        session, rules=rules, actor=actor, ticket=ticket, action=Action.REWORK, note=note, data=data
    )
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.REWORK,
               text=texts.N_REWORK.format(number=ticket.number, note=note))


# --- supervision and flags ---------------------------------------------------------


async def supervise(
    session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str = ""
) -> Ticket:
    ticket = await _ticket_for(session, actor=actor, number=number)
    ticket.supervised = True
    event = await _transition(
        session, rules=rules, actor=actor, ticket=ticket, action=Action.SUPERVISE, note=note
    )
    if ticket.main_unit_id:
        await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.SUPERVISED,
                   text=texts.N_SUPERVISED.format(number=ticket.number, note=note))
    return ticket


async def archive(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str) -> Ticket:
    """存电: a repeated complaint shown unfounded; later ones are left out of satisfaction."""
    note = require(note, texts.WHAT_ARCHIVE_REASON)
    ticket = await _ticket_for(session, actor=actor, number=number)
    ticket.archived = True
    await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.ARCHIVE, note=note)
    return ticket


async def urge(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str = "") -> Ticket:
    ticket = await _ticket_for(session, actor=actor, number=number)
    event = await _transition(session, rules=rules, actor=actor, ticket=ticket, action=Action.URGE, note=note)
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.URGED,
               text=texts.N_URGED.format(number=ticket.number, note=note))
    return ticket


async def recall(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str = "") -> Ticket:
    ticket = await _ticket_for(session, actor=actor, number=number)
    ticket.closed_at = rules.now()
    event = await _transition(
        session, rules=rules, actor=actor, ticket=ticket, action=Action.RECALL, note=note
    )
    if ticket.main_unit_id:
        await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.RECALLED,
                   text=texts.N_RECALLED.format(number=ticket.number))
    return ticket


async def recheck(
    session: AsyncSession, *, rules: Rules, actor: Actor, number: str, note: str = ""
) -> Ticket:
    """复核: a closed ticket goes back to its unit, to be answered in writing within the recheck term."""
    ticket = await _ticket_for(session, actor=actor, number=number)
    workflow.check(ticket.status, Action.RECHECK, actor.role, number=ticket.number)
    now = rules.now()
    ticket.closed_at = None
    ticket.dispatched_at = now
    ticket.due_at = rules.calendar.add(now, rules.policy.deadlines.recheck)
    event = await _transition(
        session, rules=rules, actor=actor, ticket=ticket, action=Action.RECHECK, note=note
    )
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.RECHECK,
               text=texts.N_RECHECK.format(number=ticket.number, due=texts.fmt_local(ticket.due_at),
               note=note))
    return ticket
