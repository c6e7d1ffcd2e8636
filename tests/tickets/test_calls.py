"""双呼 call evidence (tickets.calls) on real databases with a controlled clock: a first contact
proven or not by the platform's call records across a weekend, the 3-calls-1-hour-apart rule
at 50 and 61 minutes, a press without a call marked in the audit trail, and the reports
counting 先行联系率 both ways around the platform's go-live."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from reports.indicators import unit_indicators
from reports.periods import parse_period
from reports.rankings import load_ranking_rules, poor_tickets
from tests.conftest import Org
from tickets import calls, intake, queries
from tickets import service as svc
from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import ManualClock, shanghai
from tickets.context import Actor, Rules
from tickets.enums import Action, CallOutcome, Channel, RequestType
from tickets.errors import NotFound, ValidationFailed
from tickets.models import CallRecord, Ticket
from tickets.policy import Policy, load_policy
from tickets.schemas import TicketCreate

CITIZEN = "13800138000"
FRIDAY_5PM = shanghai(2026, 11, 27, 17, 0)  # dispatched just before the weekend
MONDAY = (2026, 11, 30)


def policy_with_switch(since: date | None = date(2026, 11, 1)) -> Policy:
    policy = load_policy()
    return policy.model_copy(
        update={"contact": policy.contact.model_copy(update={"call_evidence_since": since})}
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(FRIDAY_5PM)


@pytest.fixture
def rules(clock: ManualClock) -> Rules:
    policy = policy_with_switch()
    return Rules(clock=clock, calendar=WorkCalendar(policy.working_hours, CalendarOverrides()), policy=policy)


async def dispatched(session: AsyncSession, rules: Rules, org: Org) -> Ticket:
    data = TicketCreate(
        channel=Channel.WEB,
        request_type=RequestType.COMPLAINT,
        category="物业管理",
        content="小区电梯坏了一周，物业一直不修。",
        contact_name="张三",
        contact_phone="138 0013 8000",
    )
    ticket = await intake.create_ticket(session, rules=rules, actor=Actor.system("bot"), data=data)
    await svc.dispatch(
        session, rules=rules, actor=org.actor_office(), number=ticket.number, unit_id=org.unit_ids[0]
    )
    await session.commit()
    return ticket


def report(ticket: Ticket, org: Org, call_id: str, dialed: datetime, outcome: CallOutcome, *,
           unit: int = 0, callee: str = CITIZEN) -> calls.CallReport:
    answered = dialed + timedelta(seconds=8) if outcome is CallOutcome.ANSWERED else None
    return calls.CallReport(
        call_id=call_id,
        ticket_number=ticket.number,
        calling_unit_id=org.unit_ids[unit],
        calling_staff="联络员0A",
        callee_phone=callee,
        dialed_at=dialed,
        answered_at=answered,
        hung_up_at=dialed + timedelta(minutes=2),
        outcome=outcome,
        recording_ref=f"rec/{call_id}",
    )


async def record(session: AsyncSession, rules: Rules, clock: ManualClock, made: calls.CallReport) -> None:
    clock.set(made.hung_up_at + timedelta(seconds=5))
    await svc.record_call(session, rules=rules, report=made)
    await session.commit()


async def actions(session: AsyncSession, ticket: Ticket) -> list[Action]:
    assert ticket.id is not None
    return [e.action for e in await queries.ticket_events(session, ticket_id=ticket.id)]


async def test_answered_call_on_monday_proves_the_first_contact_of_a_friday_ticket(
        session: AsyncSession, rules: Rules, clock: ManualClock, org: Org) -> None:
    ticket = await dispatched(session, rules, org)
    # one working day: the weekend does not count
    assert ticket.first_contact_due_at == shanghai(*MONDAY, 17, 0)
    await record(
        session, rules, clock, report(ticket, org, "C-1", shanghai(*MONDAY, 10, 0), CallOutcome.ANSWERED)
    )
    await svc.first_contact(session, rules=rules, actor=org.handler(0), number=ticket.number, reached=True)
    await session.commit()

    assert ticket.first_contact_proven_at == shanghai(*MONDAY, 10, 0) + timedelta(seconds=8)
    assert await actions(session, ticket) == [Action.RECEIVE, Action.DISPATCH, Action.CALL_RECORDED,
                                              Action.FIRST_CONTACT]
    events = await queries.ticket_events(session, ticket_id=ticket.id)  # type: ignore[arg-type]
    assert events[2].note == "先行联系通话：区住建局 联络员0A 2026-11-30 10:00拨打，接通"
    assert events[2].actor_name == "双呼平台"


async def test_first_contact_pressed_without_a_call_is_marked_unproven(
        session: AsyncSession, rules: Rules, clock: ManualClock, org: Org) -> None:
    ticket = await dispatched(session, rules, org)
    # Saturday: a call from another unit and one to another number prove nothing.
    await record(session, rules, clock, report(ticket, org, "C-2", shanghai(2026, 11, 28, 10, 0),
                                               CallOutcome.ANSWERED, unit=1))
    await record(session, rules, clock, report(ticket, org, "C-3", shanghai(2026, 11, 28, 11, 0),
                                               CallOutcome.ANSWERED, callee="13900000009"))
    clock.set(shanghai(*MONDAY, 9, 30))
    await svc.first_contact(session, rules=rules, actor=org.handler(0), number=ticket.number, reached=True)
    await session.commit()

    assert ticket.first_contact_at == shanghai(*MONDAY, 9, 30)  # the button says contacted...
    assert ticket.first_contact_proven_at is None  # ...the calls do not
    assert (await actions(session, ticket))[-2:] == [Action.FIRST_CONTACT, Action.CONTACT_UNPROVEN]
    events = await queries.ticket_events(session, ticket_id=ticket.id)  # type: ignore[arg-type]
    assert (
        events[-1].note
        == "双呼平台无对应通话记录（未找到承办单位拨打诉求人并接通的通话），本次先行联系未经通话佐证。"
    )

    # The first-contact rate both ways, and the poor-ticket reason from the calls.
    period = parse_period("2026-11")
    (row,) = [
        u
        for u in await unit_indicators(
            session, period=period, as_of=shanghai(2026, 12, 1, 0, 0), call_evidence_since=date(2026, 11, 1)
        )
        if u.unit == "区住建局"
    ]
    assert (row.counts["first_contacted_by_button"], row.counts["first_contacted_by_call"],
            row.counts["first_contacted"]) == (1, 0, 0)
    poor = await poor_tickets(session, period=period, policy=rules.policy, rules=load_ranking_rules(),
                              as_of=shanghai(2026, 12, 1, 0, 0))
    assert [(p.number, "not_contacted" in p.reasons) for p in poor] == [(ticket.number, True)]
    # Before the go-live the button counted: the same ticket is contacted and not a poor one.
    (row,) = [
        u
        for u in await unit_indicators(
            session, period=period, as_of=shanghai(2026, 12, 1, 0, 0), call_evidence_since=date(2026, 12, 1)
        )
        if u.unit == "区住建局"
    ]
    assert row.counts["first_contacted"] == 1
    poor = await poor_tickets(session, period=period, policy=policy_with_switch(date(2026, 12, 1)),
                              rules=load_ranking_rules(), as_of=shanghai(2026, 12, 1, 0, 0))
    assert all("not_contacted" not in p.reasons for p in poor)


async def test_a_late_call_proves_contact_but_not_in_time(
        session: AsyncSession, rules: Rules, clock: ManualClock, org: Org) -> None:
    ticket = await dispatched(session, rules, org)
    await record(
        session, rules, clock, report(ticket, org, "C-4", shanghai(2026, 12, 1, 9, 0), CallOutcome.ANSWERED)
    )
    made = await calls.ticket_calls(session, ticket_id=ticket.id)  # type: ignore[arg-type]
    proof = calls.proof(
        ticket, made, calls.ContactStage.FIRST_CONTACT, policy=rules.policy, calendar=rules.calendar
    )
    assert proof.proven_at is not None and not proof.in_time
    (row,) = [
        u
        for u in await unit_indicators(
            session,
            period=parse_period("2026-11"),
            as_of=shanghai(2026, 12, 2, 0, 0),
            call_evidence_since=date(2026, 11, 1),
        )
        if u.unit == "区住建局"
    ]
    assert row.counts["first_contacted_by_call"] == 0


@pytest.mark.parametrize(("gap_minutes", "proven"), [(50, False), (61, True)])
async def test_three_unanswered_calls_must_be_an_hour_apart(
    session: AsyncSession, rules: Rules, clock: ManualClock, org: Org, gap_minutes: int, proven: bool
) -> None:
    ticket = await dispatched(session, rules, org)
    first = shanghai(*MONDAY, 9, 0)
    outcomes = [CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.REFUSED]
    for i, outcome in enumerate(outcomes):
        made = report(
            ticket, org, f"U-{gap_minutes}-{i}", first + timedelta(minutes=gap_minutes * i), outcome
        )
        await record(session, rules, clock, made)
        await svc.first_contact(
            session, rules=rules, actor=org.handler(0), number=ticket.number, reached=False
        )
        await session.commit()

    calls_made = await calls.ticket_calls(session, ticket_id=ticket.id)  # type: ignore[arg-type]
    proof = calls.proof(ticket, calls_made, calls.ContactStage.FIRST_CONTACT, policy=rules.policy,
                        calendar=rules.calendar)
    if proven:
        assert proof.attempts == tuple(first + timedelta(minutes=61 * i) for i in range(3))
        assert ticket.first_contact_proven_at == first + timedelta(minutes=122) and proof.in_time
    else:
        # 9:00 counts, 9:50 is too soon, 10:40 counts: two attempts, not three.
        assert proof.attempts == (first, first + timedelta(minutes=100))
        assert ticket.first_contact_proven_at is None and not proof.in_time
    # Each press had its unanswered call: none is marked unproven.
    assert Action.CONTACT_UNPROVEN not in await actions(session, ticket)


async def test_bad_reports_are_refused_and_store_nothing(
        session: AsyncSession, rules: Rules, clock: ManualClock, org: Org) -> None:
    ticket = await dispatched(session, rules, org)
    ticket_id = ticket.id
    clock.set(shanghai(*MONDAY, 12, 0))
    good = report(ticket, org, "B-1", shanghai(*MONDAY, 10, 0), CallOutcome.ANSWERED)
    cases = [
        (good.__class__(**{**good.__dict__, "answered_at": None}), ValidationFailed, "须有接听时间"),
        (good.__class__(**{**good.__dict__, "hung_up_at": good.dialed_at - timedelta(minutes=1)}),
         ValidationFailed, "拨打时间 ≤ 接听时间 ≤ 挂断时间"),
        (good.__class__(**{**good.__dict__, "dialed_at": shanghai(*MONDAY, 13, 0),
                           "answered_at": shanghai(*MONDAY, 13, 0), "hung_up_at": shanghai(*MONDAY, 13, 5)}),
         ValidationFailed, "晚于当前时间"),
        (good.__class__(**{**good.__dict__, "ticket_number": "2026113099999"}), NotFound, "2026113099999"),
    ]
    for bad, error, words in cases:
        with pytest.raises(error) as info:
            await svc.record_call(session, rules=rules, report=bad)
        assert words in info.value.message
        await session.rollback()
    assert await calls.ticket_calls(session, ticket_id=ticket_id) == []  # type: ignore[arg-type]


def test_judge_counts_the_earliest_moment_the_rule_is_met() -> None:
    policy = load_policy()
    calendar = WorkCalendar(policy.working_hours, CalendarOverrides())
    start = shanghai(*MONDAY, 9, 0)

    def call(minutes: int, outcome: CallOutcome) -> CallRecord:
        dialed = start + timedelta(minutes=minutes)
        return CallRecord(
            call_id=str(minutes),
            ticket_id=1,
            calling_unit_id=1,
            calling_staff="x",
            callee_phone=CITIZEN,
            dialed_at=dialed,
            answered_at=dialed if outcome is CallOutcome.ANSWERED else None,
            hung_up_at=dialed,
            outcome=outcome,
            received_at=dialed,
        )

    # Unreachable three times an hour apart, then answered: proven at the third attempt.
    made = [call(0, CallOutcome.NO_ANSWER), call(60, CallOutcome.BUSY), call(120, CallOutcome.NO_ANSWER),
            call(200, CallOutcome.ANSWERED)]
    proof = calls.judge(
        list(reversed(made)), due_at=start + timedelta(hours=2), policy=policy, calendar=calendar
    )
    assert proof.proven_at == start + timedelta(minutes=120) and proof.in_time
    assert proof.reached_at == start + timedelta(minutes=200)
    assert calls.judge([], due_at=None, policy=policy, calendar=calendar).proven_at is None
