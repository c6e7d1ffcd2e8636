"""吹哨报到 (seed 004): a unit that cannot solve a hard ticket alone — its main unit, a street
or a department, or the office — blows the whistle and names the units that must report in
(报到) within the policy's time; it leads the joint handling and records the on-site meeting.

Every step is a same-state step of the ticket's workflow (tickets.workflow) with its line in
the audit trail and its messages through tickets.messaging, in the caller's transaction.
A summoned unit late to report in is reminded once when its time is up and, still missing
after `whistle.reported_late_after`, reported to the office once (`run_report_in_check`,
the scheduler's `whistle_report_in` job). The whistle closes when its ticket is closed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts, workflow
from tickets.clock import day_in_range, ensure_aware
from tickets.context import Actor, Rules
from tickets.enums import OPEN_STATUSES, Action, Role, UnitKind
from tickets.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from tickets.events import record_event
from tickets.logins import record_duty_login
from tickets.messaging import MessageKind, summary, tell
from tickets.models import Ticket, Unit
from tickets.privacy import mask_place
from tickets.queries import get_ticket
from tickets.schemas import check_length, require
from tickets.whistle_models import Whistle, WhistleSummons

log = logging.getLogger(__name__)

VIA = frozenset({"bot", "api", "web"})
SWEEP_ACTOR = Actor.system("吹哨报到检查")
CLOSING_ACTOR = Actor.system("吹哨报到")


async def open_whistle(session: AsyncSession, *, ticket_id: int) -> Whistle | None:
    return (await session.exec(select(Whistle).where(Whistle.ticket_id == ticket_id,
                                                     col(Whistle.closed_at).is_(None)))).first()


async def summonses(session: AsyncSession, *, whistle_id: int) -> list[WhistleSummons]:
    rows = await session.exec(select(WhistleSummons).where(WhistleSummons.whistle_id == whistle_id)
                              .order_by(col(WhistleSummons.id)))
    return list(rows.all())


async def waiting_units(session: AsyncSession, *, ticket_id: int) -> tuple[bool, set[int], set[int]]:
    """Whether the ticket has an open whistle, the units it summoned, and those not reported in
    yet (what a page offers: the meeting to the lead, 报到 to a summoned unit)."""
    whistle = await open_whistle(session, ticket_id=ticket_id)
    if whistle is None or whistle.id is None:
        return False, set(), set()
    rows = await summonses(session, whistle_id=whistle.id)
    return True, {s.unit_id for s in rows}, {s.unit_id for s in rows if s.reported_in_at is None}


async def _unit_name(session: AsyncSession, unit_id: int | None) -> str:
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit is not None else texts.WHISTLE_BLOWER_OFFICE


async def _office_unit_id(session: AsyncSession, actor: Actor) -> int:
    if actor.unit_id is not None:
        return actor.unit_id
    found = (
        await session.exec(select(Unit.id).where(Unit.kind == UnitKind.OFFICE).order_by(col(Unit.id)))
    ).first()
    if found is None:
        raise NotFound(texts.ERR_UNIT_NOT_FOUND.format(unit=texts.WHISTLE_BLOWER_OFFICE))
    return found


async def _summoned_units(session: AsyncSession, *, rules: Rules, unit_ids: Sequence[int],
                          blower_id: int) -> list[Unit]:
    """The units named, each known, active, of a kind that reports in, and not the blower."""
    wanted = list(dict.fromkeys(unit_ids))
    if not wanted:
        raise ValidationFailed(texts.ERR_WHISTLE_NO_UNITS)
    limit = rules.policy.whistle.max_summoned
    if len(wanted) > limit:
        raise ValidationFailed(texts.ERR_WHISTLE_TOO_MANY.format(limit=limit))
    units = []
    for unit_id in wanted:
        unit = await session.get(Unit, unit_id)
        if unit is None:
            raise NotFound(texts.ERR_WHISTLE_UNKNOWN_UNIT.format(unit_id=unit_id))
        if unit.id == blower_id:
            raise ValidationFailed(texts.ERR_WHISTLE_SELF.format(unit=unit.name))
        if unit.kind not in rules.policy.whistle.summoned_kinds:
            raise ValidationFailed(texts.ERR_WHISTLE_UNIT_KIND.format(unit=unit.name,
                                                                      kind=texts.UNIT_KIND[unit.kind]))
        if not unit.active:
            raise ValidationFailed(texts.ERR_UNIT_INACTIVE.format(unit=unit.name))
        units.append(unit)
    return units


async def blow(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, unit_ids: Sequence[int],
               reason: str) -> Whistle:
    """吹哨: the ticket's main unit (or the office) summons `unit_ids` to report in."""
    reason = require(reason, texts.WHAT_WHISTLE_REASON)
    check_length(reason, rules.policy.limits.note_max_chars, texts.WHAT_WHISTLE_REASON)
    ticket = await get_ticket(session, number=number)
    if actor.role is Role.HANDLER and ticket.main_unit_id != actor.unit_id:
        raise Forbidden(texts.ERR_WHISTLE_NOT_LEAD.format(number=ticket.number))
    workflow.check(ticket.status, Action.WHISTLE, actor.role, number=ticket.number)
    assert ticket.id is not None
    if (current := await open_whistle(session, ticket_id=ticket.id)) is not None:
        raise IllegalTransition(texts.ERR_WHISTLE_OPEN.format(number=ticket.number,
                                                              at=texts.fmt_local(current.blown_at)))
    blower_id = actor.unit_id if actor.role is Role.HANDLER else await _office_unit_id(session, actor)
    assert blower_id is not None
    blower = await session.get(Unit, blower_id)
    units = await _summoned_units(session, rules=rules, unit_ids=unit_ids, blower_id=blower_id)
    now = rules.now()
    due = rules.calendar.add(now, rules.policy.whistle.report_in)
    whistle = Whistle(ticket_id=ticket.id, unit_id=blower_id,
                      unit_kind=blower.kind if blower is not None else UnitKind.OFFICE,
                      staff_id=actor.id, reason=reason, blown_at=now, report_in_due_at=due)
    session.add(whistle)
    await session.flush()
    assert whistle.id is not None
    session.add_all([WhistleSummons(whistle_id=whistle.id, unit_id=u.id, due_at=due) for u in units
                     if u.id is not None])
    ticket.updated_at = now
    session.add(ticket)
    event = await record_event(session, rules=rules, ticket=ticket, actor=actor, action=Action.WHISTLE,
                               from_status=ticket.status, note=reason,
                               data={"whistle_id": whistle.id, "unit_ids": [u.id for u in units],
                                     "report_in_due_at": due.isoformat()})
    if actor.role is Role.HANDLER and actor.unit_id is not None:
        await record_duty_login(session, rules=rules, unit_id=actor.unit_id, staff_id=actor.id)
    blower_name = blower.name if blower is not None else texts.WHISTLE_BLOWER_OFFICE
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.WHISTLE_SUMMONS,
               unit_ids=[u.id for u in units if u.id is not None],
               text=texts.N_WHISTLE_SUMMONS.format(blower=blower_name, number=ticket.number,
                                                   due=texts.fmt_local(due), reason=reason,
                                                   summary=summary(ticket.content),
                                                   place=mask_place(ticket.place) or "—"))
    return whistle


async def report_in(session: AsyncSession, *, rules: Rules, actor: Actor, number: str,
                    via: str = "api") -> WhistleSummons:
    """报到: a summoned unit's handler reports in, once; on time when by the summons' due time."""
    ticket = await get_ticket(session, number=number)
    workflow.check(ticket.status, Action.REPORT_IN, actor.role, number=ticket.number)
    assert ticket.id is not None and actor.unit_id is not None
    whistle = await open_whistle(session, ticket_id=ticket.id)
    unit_name = await _unit_name(session, actor.unit_id)
    if whistle is None or whistle.id is None:
        raise IllegalTransition(texts.ERR_WHISTLE_NONE.format(number=ticket.number))
    summons = (
        await session.exec(
            select(WhistleSummons).where(
                WhistleSummons.whistle_id == whistle.id, WhistleSummons.unit_id == actor.unit_id
            )
        )
    ).first()
    if summons is None:
        raise Forbidden(texts.ERR_WHISTLE_NOT_SUMMONED.format(unit=unit_name, number=ticket.number))
    now = rules.now()
    # Conditional: of two simultaneous 报到 of one unit (A and B handlers), one counts.
    done = await session.exec(sa.update(WhistleSummons).where(
        col(WhistleSummons.id) == summons.id, col(WhistleSummons.reported_in_at).is_(None),
    ).values(reported_in_at=now, reported_in_by=actor.id, reported_in_via=via if via in VIA else "api"))
    if done.rowcount != 1:
        await session.refresh(summons)
        raise IllegalTransition(texts.ERR_WHISTLE_ALREADY_IN.format(
            unit=unit_name, at=texts.fmt_local(summons.reported_in_at)))
    await session.refresh(summons)
    on_time = now <= ensure_aware(summons.due_at)
    event = await record_event(
        session,
        rules=rules,
        ticket=ticket,
        actor=actor,
        action=Action.REPORT_IN,
        from_status=ticket.status,
        data={"whistle_id": whistle.id, "on_time": on_time, "via": summons.reported_in_via},
    )
    await record_duty_login(session, rules=rules, unit_id=actor.unit_id, staff_id=actor.id)
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.WHISTLE_REPORTED_IN,
               unit_ids=[whistle.unit_id],
               text=texts.N_WHISTLE_REPORTED_IN.format(unit=unit_name, number=ticket.number,
                                                       at=texts.fmt_local(now)))
    return summons


async def record_meeting(session: AsyncSession, *, rules: Rules, actor: Actor, number: str, day: date,
                         place: str, attendees: Sequence[str], decisions: str) -> Whistle:
    """现场会: the lead (the blowing unit or the office) records date, place, attendees, decisions."""
    limits = rules.policy.limits
    place = require(place, texts.WHAT_MEETING_PLACE)
    check_length(place, limits.place_max_chars, texts.WHAT_MEETING_PLACE)
    decisions = require(decisions, texts.WHAT_MEETING_DECISIONS)
    check_length(decisions, limits.note_max_chars, texts.WHAT_MEETING_DECISIONS)
    if not day_in_range(day):
        raise ValidationFailed(texts.ERR_WHISTLE_MEETING_DAY.format(day=day.isoformat()))
    people = [a.strip() for a in attendees if a and a.strip()]
    if not people:
        raise ValidationFailed(texts.ERR_REASON_REQUIRED.format(what=texts.WHAT_MEETING_ATTENDEES))
    check_length("、".join(people), limits.note_max_chars, texts.WHAT_MEETING_ATTENDEES)
    ticket = await get_ticket(session, number=number)
    assert ticket.id is not None
    whistle = await open_whistle(session, ticket_id=ticket.id)
    if actor.role is Role.HANDLER and (whistle is None or whistle.unit_id != actor.unit_id):
        raise Forbidden(texts.ERR_WHISTLE_MEETING_LEAD.format(number=ticket.number))
    workflow.check(ticket.status, Action.WHISTLE_MEETING, actor.role, number=ticket.number)
    if whistle is None:
        raise IllegalTransition(texts.ERR_WHISTLE_NONE.format(number=ticket.number))
    whistle.meeting = {"date": day.isoformat(), "place": place, "attendees": people, "decisions": decisions,
                       "recorded_at": rules.now().isoformat(), "recorded_by": actor.name}
    session.add(whistle)
    event = await record_event(
        session,
        rules=rules,
        ticket=ticket,
        actor=actor,
        action=Action.WHISTLE_MEETING,
        from_status=ticket.status,
        note=decisions,
        data={"whistle_id": whistle.id, "date": day.isoformat(), "place": place, "attendees": people},
    )
    assert whistle.id is not None
    units = [s.unit_id for s in await summonses(session, whistle_id=whistle.id)]
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.WHISTLE_MEETING,
               unit_ids=[whistle.unit_id, *units],
               text=texts.N_WHISTLE_MEETING.format(number=ticket.number, day=day.isoformat(), place=place,
                                                   attendees="、".join(people), decisions=decisions))
    return whistle


async def close_with_ticket(session: AsyncSession, *, rules: Rules, ticket: Ticket) -> int:
    """The ticket has left the open states (closed, recalled…): its open whistle ends with it."""
    if ticket.status in OPEN_STATUSES or ticket.id is None:
        return 0
    whistle = await open_whistle(session, ticket_id=ticket.id)
    if whistle is None or whistle.id is None:
        return 0
    whistle.closed_at = rules.now()
    session.add(whistle)
    event = await record_event(session, rules=rules, ticket=ticket, actor=CLOSING_ACTOR,
                               action=Action.WHISTLE_CLOSED, from_status=ticket.status,
                               data={"whistle_id": whistle.id})
    units = [s.unit_id for s in await summonses(session, whistle_id=whistle.id)]
    await tell(session, rules=rules, ticket=ticket, event_id=event.id, kind=MessageKind.WHISTLE_CLOSED,
               unit_ids=units, text=texts.N_WHISTLE_CLOSED.format(number=ticket.number,
                                                                   status=texts.STATUS[ticket.status]))
    return 1


# --- the sweep: late 报到 reminded once, then reported once -------------------------------------


@dataclass
class ReportInCheck:
    reminded: list[str] = field(default_factory=list)  # "<number>:<unit>"
    reported: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"reminded": len(self.reminded), "reported": len(self.reported), "failed": len(self.failed)}


async def _claim(session: AsyncSession, summons_id: int, column: str, at: datetime) -> bool:
    """Set the summons' `column` if still unset: the step is taken once, whoever runs the sweep."""
    target = getattr(WhistleSummons, column)
    result = await session.exec(sa.update(WhistleSummons).where(
        col(WhistleSummons.id) == summons_id, col(target).is_(None)).values({column: at}))
    return bool(result.rowcount == 1)


async def run_report_in_check(session: AsyncSession, *, rules: Rules, at: datetime) -> ReportInCheck:
    """As of `at`: remind each summoned unit whose 报到 time is up, and report to the office
    each one still missing `reported_late_after` after its reminder. Each step is claimed by a
    conditional update (once and only once); one failing item is logged and skipped."""
    at = ensure_aware(at)
    result = ReportInCheck()
    late_after = rules.policy.whistle.reported_late_after
    waiting = (await session.exec(
        select(WhistleSummons, Whistle, Ticket, Unit)
        .join(Whistle, col(Whistle.id) == WhistleSummons.whistle_id)
        .join(Ticket, col(Ticket.id) == Whistle.ticket_id)
        .join(Unit, col(Unit.id) == WhistleSummons.unit_id)
        .where(col(WhistleSummons.reported_in_at).is_(None), col(WhistleSummons.late_reported_at).is_(None),
               col(WhistleSummons.due_at) <= at, col(Whistle.closed_at).is_(None))
        .order_by(col(WhistleSummons.due_at), col(WhistleSummons.id))
    )).all()
    for summons, whistle, ticket, unit in waiting:
        label = f"{ticket.number}:{unit.name}"
        assert summons.id is not None and unit.id is not None
        try:
            async with session.begin_nested():
                if summons.reminded_at is None:
                    if await _claim(session, summons.id, "reminded_at", at):
                        event = await record_event(
                            session,
                            rules=rules,
                            ticket=ticket,
                            actor=SWEEP_ACTOR,
                            action=Action.WHISTLE_REMINDED,
                            from_status=ticket.status,
                            data={"whistle_id": whistle.id, "unit_id": unit.id},
                        )
                        await tell(session, rules=rules, ticket=ticket, event_id=event.id,
                                   kind=MessageKind.WHISTLE_REMINDER, unit_ids=[unit.id],
                                   text=texts.N_WHISTLE_REMINDER.format(number=ticket.number,
                                                                       due=texts.fmt_local(summons.due_at)))
                        result.reminded.append(label)
                elif rules.calendar.add(summons.reminded_at, late_after) <= at and \
                        await _claim(session, summons.id, "late_reported_at", at):
                    event = await record_event(
                        session, rules=rules, ticket=ticket, actor=SWEEP_ACTOR, action=Action.WHISTLE_LATE,
                        from_status=ticket.status, data={"whistle_id": whistle.id, "unit_id": unit.id})
                    await tell(session, rules=rules, ticket=ticket, event_id=event.id,
                               kind=MessageKind.WHISTLE_LATE,
                               text=texts.N_WHISTLE_LATE.format(unit=unit.name, number=ticket.number,
                                                               due=texts.fmt_local(summons.due_at)))
                    result.reported.append(label)
        except Exception:
            log.exception("whistle_report_in: %s failed; skipped", label)
            result.failed.append(label)
    return result


def on_time(summons: WhistleSummons) -> bool | None:
    """Reported in by its due time; None while it has not reported in."""
    if summons.reported_in_at is None:
        return None
    return ensure_aware(summons.reported_in_at) <= ensure_aware(summons.due_at)
