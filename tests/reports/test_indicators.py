"""Every §6 indicator on hand-built tickets with answers worked out by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from reports.indicators import overview, unit_indicators, unit_indicators_and_total
from reports.periods import parse_period
from tests.conftest import Org
from tests.reports.builders import add_ticket, at
from tickets.enums import ResultCategory, Satisfaction, TicketStatus

S = Satisfaction
R = ResultCategory


async def build_october(session: AsyncSession, org: Org, *, archive_t5: bool = True) -> None:
    u0, u1, u2 = org.unit_ids
    # t1: on time, first contact in time, satisfied, solved.
    await add_ticket(
        session,
        received=at(10, 5),
        unit_id=u0,
        due=at(10, 12),
        replied=at(10, 10),
        first_contact=at(10, 5, 11),
        first_contact_due=at(10, 6),
        callback=at(10, 11),
        reached=True,
        satisfaction=S.SATISFIED,
        result=R.SOLVED,
        solved=True,
    )
    # t2: replied late, first contact late, reworked once, basically satisfied, explained, not solved.
    await add_ticket(
        session,
        received=at(10, 6),
        unit_id=u0,
        due=at(10, 13),
        replied=at(10, 15),
        first_contact=at(10, 8),
        first_contact_due=at(10, 7),
        callback=at(10, 16),
        reached=True,
        satisfaction=S.BASICALLY_SATISFIED,
        result=R.EXPLAINED,
        solved=False,
        rework_count=1,
    )
    # t3: no reply, deadline passed, supervised.
    await add_ticket(
        session,
        received=at(10, 20),
        unit_id=u0,
        due=at(10, 27),
        first_contact_due=at(10, 21),
        supervised=True,
    )
    # t4: not due yet at the end of October.
    await add_ticket(session, received=at(10, 28), unit_id=u0, due=at(11, 4), first_contact_due=at(10, 29))
    # t5: 存电, unsatisfied: must not count in any satisfaction figure.
    await add_ticket(
        session,
        received=at(10, 2),
        unit_id=u0,
        due=at(10, 9),
        replied=at(10, 3),
        first_contact=at(10, 2, 11),
        first_contact_due=at(10, 3),
        callback=at(10, 4),
        reached=True,
        satisfaction=S.UNSATISFIED,
        result=R.EXPLAINED,
        solved=False,
        archived=archive_t5,
    )
    # t6: main 柳林洲街道, co-handled by 区住建局: counts for both (主协办同责).
    await add_ticket(
        session,
        received=at(10, 7),
        unit_id=u1,
        co_unit_ids=(u0,),
        due=at(10, 14),
        replied=at(10, 9),
        first_contact=at(10, 7, 15),
        first_contact_due=at(10, 8),
        callback=at(10, 10),
        reached=True,
        satisfaction=S.AVERAGE,
        result=R.NOTED,
        solved=True,
    )
    # t7: received in September: outside the period.
    await add_ticket(session, received=at(9, 1), unit_id=u0, due=at(9, 8), replied=at(9, 2))
    # t8: 00:30 on 1 October in Shanghai (still 30 September in UTC): inside; answered directly.
    await add_ticket(
        session,
        received=at(10, 1, 0, 30),
        unit_id=None,
        status=TicketStatus.DIRECT_ANSWERED,
        replied=at(10, 1, 0, 40),
        request_type="consultation",
        category="人力资源和社会保障",
    )
    # t9: 23:59 on 31 October: inside; replied after the period ends, not due by then.
    await add_ticket(
        session, received=at(10, 31, 23, 59), unit_id=u2, due=at(11, 6), replied=at(11, 2), category="供电"
    )
    # t10: open since 1 October, past its deadline and more than 30 days old at the cut-off.
    await add_ticket(session, received=at(10, 1, 0, 10), unit_id=u2, due=at(10, 8), category="供电")
    # t11: callback tried but the citizen could not be reached.
    await add_ticket(
        session,
        received=at(10, 15),
        unit_id=u0,
        due=at(10, 20),
        replied=at(10, 18),
        first_contact=at(10, 15, 14),
        first_contact_due=at(10, 16),
        callback=at(10, 20),
        reached=False,
    )
    # t12: deadline passed in October, reply only in November: due, not done, overdue at the cut-off.
    await add_ticket(session, received=at(10, 21), unit_id=u0, due=at(10, 28), replied=at(11, 3))
    await session.commit()


async def test_unit_indicators_by_hand(session: AsyncSession, org: Org) -> None:
    await build_october(session, org)
    rows = {r.unit: r for r in await unit_indicators(session, period=parse_period("2026-10"))}
    assert set(rows) == {"区住建局", "柳林洲街道", "供电分公司"}
    c = rows["区住建局"].counts
    expected = {
        "received": 8,
        "dispatched": 8,
        "due": 7,
        "done": 5,
        "on_time": 4,
        "replied_late": 1,
        "overdue_open": 2,
        "overdue": 3,
        "open_over_limit": 0,
        "rework": 1,
        "first_contacted": 4,
        "first_contacted_by_button": 4,
        "first_contacted_by_call": 0,
        "callbacks_tried": 5,
        "callbacks_reached": 4,
        "evaluations": 3,
        "satisfied": 1,
        "basically_satisfied": 1,
        "average": 1,
        "unsatisfied": 0,
        "solved": 1,
        "explained": 1,
        "noted": 1,
        "demand_too_high": 0,
        "unsolved": 0,
        "solved_answered": 2,
        "solved_asked": 3,
        "supervised": 1,
        "supervised_late": 1,
        "archived": 1,
    }
    assert c == expected
    r = rows["区住建局"]
    assert r.rate("completion_rate") == Fraction(5, 7)
    assert r.rate("on_time_rate") == Fraction(4, 7)
    assert r.rate("overdue_rate") == Fraction(1, 7)
    assert r.rate("rework_rate") == Fraction(1, 7)
    assert r.rate("first_contact_rate") == Fraction(1, 2)
    assert r.rate("satisfaction_rate") == Fraction(2, 3)
    assert r.rate("dissatisfaction_rate") == 0
    assert r.rate("resolution_rate") == Fraction(2, 3)
    assert r.rate("valid_callback_rate") == Fraction(4, 5)
    street = rows["柳林洲街道"].counts
    assert (street["received"], street["on_time"], street["average"], street["noted"]) == (1, 1, 1, 1)
    power = rows["供电分公司"]
    assert {k: power.counts[k] for k in ("received", "due", "done", "overdue_open", "open_over_limit")} == {
        "received": 2,
        "due": 1,
        "done": 0,
        "overdue_open": 1,
        "open_over_limit": 1,
    }
    assert power.rate("satisfaction_rate") is None  # nothing evaluated: no rate, not 0%


async def test_archived_tickets_are_left_out_of_satisfaction(session: AsyncSession, org: Org) -> None:
    await build_october(session, org, archive_t5=False)
    rows = {r.unit: r for r in await unit_indicators(session, period=parse_period("2026-10"))}
    c = rows["区住建局"].counts
    # The same unsatisfied callback counts once it is not 存电.
    assert (c["evaluations"], c["unsatisfied"], c["explained"], c["solved_asked"]) == (4, 1, 2, 4)
    assert rows["区住建局"].rate("dissatisfaction_rate") == Fraction(1, 4)


async def test_overview_counts_each_ticket_once(session: AsyncSession, org: Org) -> None:
    await build_october(session, org)
    ov = await overview(session, period=parse_period("2026-10"))
    assert (ov.received, ov.direct_answered, ov.dispatched) == (11, 1, 10)
    assert ov.direct_answer_rate == Fraction(1, 11)
    assert ov.counts["received"] == 10  # t6 once, although two units share it
    assert ov.counts["due"] == 8 and ov.counts["done"] == 5 and ov.counts["evaluations"] == 3
    assert ov.by_category[0] == ("物业管理", 8)
    assert dict(ov.by_category)["供电"] == 2
    assert ov.by_type == {"complaint": 10, "consultation": 1}
    days = dict(ov.by_day)
    assert len(days) == 31 and days[date(2026, 10, 1)] == 2 and days[date(2026, 10, 31)] == 1
    assert sum(days.values()) == 11


async def test_jurisdiction_counts_from_the_unit_scan_match_the_direct_query(
    session: AsyncSession, org: Org
) -> None:
    await build_october(session, org)
    u0, u1, _ = org.unit_ids
    # A unit named both main and co-handler of one ticket counts it once.
    await add_ticket(
        session, received=at(10, 9), unit_id=u0, co_unit_ids=(u0, u1), due=at(10, 16), replied=at(10, 10)
    )
    await session.commit()
    period = parse_period("2026-10")
    units, total = await unit_indicators_and_total(session, period=period)
    direct = await overview(session, period=period)
    assert total == direct.counts
    by_name = {u.unit: u.counts for u in units}
    assert by_name["区住建局"]["received"] == 9 and by_name["柳林洲街道"]["received"] == 2
    assert total["received"] == 11


def test_periods() -> None:
    october = parse_period("2026-10")
    assert (october.first_day, october.last_day, october.label) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
        "2026年10月",
    )
    assert october.start.isoformat() == "2026-09-30T16:00:00+00:00"
    assert october.previous().key == "2026-09" and parse_period("2026-01").previous().key == "2025-12"
    week = parse_period("2026-W47")
    assert (week.first_day, week.last_day) == (date(2026, 11, 16), date(2026, 11, 22))
    assert week.previous().key == "2026-W46" and parse_period("2026-W01").previous().key == "2025-W52"
    assert parse_period("2026-q3").last_day == date(2026, 9, 30)
    assert len(parse_period("2026-10-01..2026-10-15").days) == 15
    for bad in ("", "2026-13", "2026-W60", "十月", "2026-10-15..2026-10-01", "2026-02-30..2026-03-01"):
        with pytest.raises(ValueError, match="无法识别统计周期"):
            parse_period(bad)


async def test_every_received_ticket_falls_in_exactly_one_intake_line(
    session: AsyncSession, org: Org
) -> None:
    """受理 = 直接答复 + 派单 + 退回 + 撤回 + 待派单 (issue 13: 8 tickets were unaccounted for)."""
    await build_october(session, org)
    await add_ticket(session, received=at(10, 20), unit_id=None)  # still waiting for dispatch
    await add_ticket(session, received=at(10, 21), unit_id=None)
    await add_ticket(session, received=at(10, 22), unit_id=None, status=TicketStatus.SENT_BACK)
    await add_ticket(session, received=at(10, 23), unit_id=None, status=TicketStatus.RECALLED)
    await session.commit()
    ov = await overview(session, period=parse_period("2026-10"))
    assert (ov.received, ov.direct_answered, ov.dispatched, ov.sent_back, ov.recalled, ov.waiting) == (
        15, 1, 10, 1, 1, 2,
    )
    assert ov.direct_answered + ov.dispatched + ov.sent_back + ov.recalled + ov.waiting == ov.received
