"""吹哨报到 with a controlled clock: a street blows the whistle, one department reports in on
time, the other is late — reminded once, then reported to the office once — the meeting is
recorded, and the whistle closes with the ticket. Wrong input gets a clear error."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.scheduler.support import dispatched_ticket, outbox_of_kind
from tickets import service as svc
from tickets import whistles
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.enums import Action, ResultCategory, Satisfaction
from tickets.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed
from tickets.messaging import MessageKind
from tickets.models import TicketEvent
from tickets.schemas import CallbackAnswers, ReplyData
from tickets.whistle_models import Whistle, WhistleSummons

MONDAY = (2026, 11, 23)


async def whistled(session: AsyncSession, *, rules: Rules, clock: ManualClock, org: Org) -> str:
    """A ticket of the street (unit 1), accepted, whistled at 10:00 for 区住建局 and 供电分公司."""
    number = await dispatched_ticket(
        session,
        rules=rules,
        clock=clock,
        org=org,
        at=shanghai(*MONDAY, 9, 0),
        unit_index=1,
        content="老旧小区外墙脱落，涉及住建和供电线路，街道无法单独处置。",
    )
    street = org.handler(1)
    await svc.accept(session, rules=rules, actor=street, number=number)
    clock.set(shanghai(*MONDAY, 10, 0))
    await whistles.blow(
        session,
        rules=rules,
        actor=street,
        number=number,
        unit_ids=[org.unit_ids[0], org.unit_ids[2]],
        reason="外墙脱落危及行人，需住建、供电联合处置",
    )
    await session.commit()
    return number


async def trail(session: AsyncSession, number: str) -> list[Action]:
    from tickets.queries import get_ticket

    ticket = await get_ticket(session, number=number)
    rows = await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                              .order_by(col(TicketEvent.id)))
    return [e.action for e in rows.all()]


async def test_one_department_late_is_reminded_once_then_reported_once_and_the_whistle_closes_with_the_ticket(
        session: AsyncSession, rules: Rules, clock: ManualClock, org: Org) -> None:
    number = await whistled(session, rules=rules, clock=clock, org=org)
    summons = [m for m in await outbox_of_kind(session, MessageKind.WHISTLE_SUMMONS)]
    # Both handlers of both summoned units: A on Telegram, B by SMS; the street's own handlers are not
    # summoned.
    assert sorted(m.recipient for m in summons) == ["1001", "1021", "13800000002", "13800002002"]
    assert "请贵单位于 2026-11-23 12:00 前报到" in summons[0].payload["text"]
    assert "柳林洲街道就工单" in summons[0].payload["text"]

    clock.set(shanghai(*MONDAY, 11, 0))
    on_time = await whistles.report_in(session, rules=rules, actor=org.handler(0), number=number, via="bot")
    await session.commit()
    assert whistles.on_time(on_time) is True
    told = await outbox_of_kind(session, MessageKind.WHISTLE_REPORTED_IN)
    assert {m.recipient for m in told} == {"1011", "13800001002"}  # the street leads
    assert "区住建局已就工单" in told[0].payload["text"]

    # Before the limit nothing happens; at it, 供电分公司 is reminded — once, however often the sweep runs.
    assert (
        await whistles.run_report_in_check(session, rules=rules, at=shanghai(*MONDAY, 11, 59))
    ).counts() == {"reminded": 0, "reported": 0, "failed": 0}
    first = await whistles.run_report_in_check(session, rules=rules, at=shanghai(*MONDAY, 12, 0))
    again = await whistles.run_report_in_check(session, rules=rules, at=shanghai(*MONDAY, 12, 5))
    await session.commit()
    assert first.reminded == [f"{number}:供电分公司"] and again.counts()["reminded"] == 0
    reminders = await outbox_of_kind(session, MessageKind.WHISTLE_REMINDER)
    assert {m.recipient for m in reminders} == {"1021", "13800002002"}
    assert "尚未报到，请立即报到" in reminders[0].payload["text"]
    assert await outbox_of_kind(session, MessageKind.WHISTLE_LATE) == []

    # Two hours after the reminder it is still missing: the office hears of it, once.
    assert (
        await whistles.run_report_in_check(session, rules=rules, at=shanghai(*MONDAY, 13, 59))
    ).reported == []
    late = await whistles.run_report_in_check(session, rules=rules, at=shanghai(*MONDAY, 14, 0))
    later = await whistles.run_report_in_check(session, rules=rules, at=shanghai(*MONDAY, 16, 0))
    await session.commit()
    assert late.reported == [f"{number}:供电分公司"] and later.counts() == {
        "reminded": 0,
        "reported": 0,
        "failed": 0,
    }
    office = await outbox_of_kind(session, MessageKind.WHISTLE_LATE)
    assert [m.recipient for m in office] == ["9001"]
    assert (
        office[0].payload["text"]
        == f"【报到超时】供电分公司未在时限（2026-11-23 12:00）内就工单 {number} 的吹哨报到，提醒后仍未报到。"
    )

    clock.set(shanghai(*MONDAY, 14, 30))
    late_in = await whistles.report_in(
        session, rules=rules, actor=org.handler(2, 1), number=number, via="api"
    )
    await whistles.record_meeting(
        session,
        rules=rules,
        actor=org.handler(1),
        number=number,
        day=date(2026, 11, 24),
        place="柳林洲街道某小区3栋楼下",
        attendees=["街道城管科", "区住建局", "供电分公司"],
        decisions="住建局当日拉设警戒线，供电分公司迁移线路，街道督促物业修复外墙",
    )
    await session.commit()
    assert whistles.on_time(late_in) is False
    meeting = await outbox_of_kind(session, MessageKind.WHISTLE_MEETING)
    assert {m.recipient for m in meeting} == {
        "1001",
        "1011",
        "1021",
        "13800000002",
        "13800001002",
        "13800002002",
    }
    whistle = (await session.exec(select(Whistle))).one()
    assert whistle.meeting["place"] == "柳林洲街道某小区3栋楼下" and whistle.meeting["date"] == "2026-11-24"

    street = org.handler(1)
    await svc.first_contact(session, rules=rules, actor=street, number=number, reached=True)
    await svc.reply(
        session,
        rules=rules,
        actor=street,
        number=number,
        data=ReplyData(
            result=ResultCategory.SOLVED,
            text="经联合处置，外墙已修复，线路已迁移，隐患消除。",
            contact_person="联络员1A",
            facts="外墙脱落",
            judgement="诉求合理",
            citizen_opinion="满意",
            answered_by="联络员1A",
            answered_at=clock.now(),
        ),
    )
    assert whistle.closed_at is None
    await svc.record_callback(session, rules=rules, actor=org.office, number=number, answers=CallbackAnswers(
        reached=True, contacted=True, answered=True, solved=True, satisfaction=Satisfaction.SATISFIED))
    await session.commit()
    await session.refresh(whistle)
    assert whistle.closed_at == clock.now()
    assert len(await outbox_of_kind(session, MessageKind.WHISTLE_CLOSED)) == 4
    # A closed whistle is not swept any more.
    assert (await whistles.run_report_in_check(session, rules=rules, at=shanghai(2026, 12, 1))).counts()[
        "reminded"
    ] == 0

    with pytest.raises(IllegalTransition, match="当前状态为“已办结”，不能进行“吹哨”操作"):
        await whistles.blow(session, rules=rules, actor=org.office, number=number, unit_ids=[org.unit_ids[0]],
                            reason="回访后再吹哨")
    await session.rollback()

    actions = await trail(session, number)
    assert [a for a in actions if a.value.startswith(("whistle", "report_in"))] == [
        Action.WHISTLE, Action.REPORT_IN, Action.WHISTLE_REMINDED, Action.WHISTLE_LATE, Action.REPORT_IN,
        Action.WHISTLE_MEETING, Action.WHISTLE_CLOSED]
    assert actions.index(Action.WHISTLE_CLOSED) == actions.index(Action.CLOSE) + 1


async def test_wrong_input_gets_clear_errors(session: AsyncSession, rules: Rules, clock: ManualClock,
                                            org: Org) -> None:
    number = await whistled(session, rules=rules, clock=clock, org=org)
    street, department = org.handler(1), org.handler(0)

    with pytest.raises(IllegalTransition, match="已有未结束的吹哨（2026-11-23 10:00 吹哨）"):
        await whistles.blow(session, rules=rules, actor=org.office, number=number, unit_ids=[org.unit_ids[0]],
                            reason="再次吹哨")
    await session.rollback()
    await whistles.report_in(session, rules=rules, actor=department, number=number)
    await session.commit()
    with pytest.raises(IllegalTransition, match="区住建局已于 2026-11-23 10:00 报到，无需重复报到"):
        await whistles.report_in(session, rules=rules, actor=org.handler(0, 1), number=number)
    await session.rollback()
    with pytest.raises(Forbidden, match=r"柳林洲街道未被工单 .* 的吹哨点名，无需报到"):
        await whistles.report_in(session, rules=rules, actor=street, number=number)
    await session.rollback()
    with pytest.raises(Forbidden, match="只有吹哨单位或热线办可以记录"):
        await whistles.record_meeting(
            session,
            rules=rules,
            actor=department,
            number=number,
            day=date(2026, 11, 24),
            place="现场",
            attendees=["甲"],
            decisions="议定",
        )
    await session.rollback()

    other = await dispatched_ticket(session, rules=rules, clock=clock, org=org, at=shanghai(*MONDAY, 10, 30),
                                    unit_index=1, phone="13700000009")
    with pytest.raises(NotFound, match=r"未找到单位（编号 99999），请核对后再点名报到单位"):
        await whistles.blow(
            session, rules=rules, actor=street, number=other, unit_ids=[99999], reason="联合处置"
        )
    await session.rollback()
    with pytest.raises(ValidationFailed, match="柳林洲街道是吹哨单位，不能点名自己报到"):
        await whistles.blow(session, rules=rules, actor=street, number=other, unit_ids=[org.unit_ids[1]],
                            reason="联合处置")
    await session.rollback()
    with pytest.raises(ValidationFailed, match="区热线办（热线办）不能被点名报到"):
        await whistles.blow(session, rules=rules, actor=street, number=other, unit_ids=[org.office_unit_id],
                            reason="联合处置")
    await session.rollback()
    with pytest.raises(ValidationFailed, match="吹哨须至少点名一个报到单位"):
        await whistles.blow(session, rules=rules, actor=street, number=other, unit_ids=[], reason="联合处置")
    await session.rollback()
    with pytest.raises(ValidationFailed, match="请填写吹哨事由"):
        await whistles.blow(
            session, rules=rules, actor=street, number=other, unit_ids=[org.unit_ids[0]], reason=" "
        )
    await session.rollback()
    with pytest.raises(Forbidden, match=r"只有工单 .* 的主办单位或热线办可以吹哨"):
        await whistles.blow(session, rules=rules, actor=department, number=other, unit_ids=[org.unit_ids[2]],
                            reason="联合处置")
    await session.rollback()
    with pytest.raises(IllegalTransition, match="没有进行中的吹哨"):
        await whistles.report_in(session, rules=rules, actor=department, number=other)
    await session.rollback()

    # A closed ticket cannot be whistled on.
    await svc.recall(session, rules=rules, actor=org.office, number=other, note="上级撤回")
    await session.commit()
    with pytest.raises(IllegalTransition, match="当前状态为“已撤回”，不能进行“吹哨”操作"):
        await whistles.blow(session, rules=rules, actor=org.office, number=other, unit_ids=[org.unit_ids[0]],
                            reason="联合处置")
    await session.rollback()
    assert len((await session.exec(select(WhistleSummons))).all()) == 2


async def test_simultaneous_sweeps_remind_once(sessions: SessionFactory, rules: Rules, clock: ManualClock,
                                               org: Org) -> None:
    """Two instances sweeping at the same moment (not only one after the other): each late unit
    is reminded by one of them, once; the summons row's conditional update decides."""
    async with sessions() as session:
        await whistled(session, rules=rules, clock=clock, org=org)

    async def sweep() -> list[str]:
        async with sessions() as session:
            result = await whistles.run_report_in_check(session, rules=rules, at=shanghai(*MONDAY, 12, 0))
            await session.commit()
            return result.reminded

    first, second = await asyncio.gather(sweep(), sweep())
    assert len(first) + len(second) == 2 and set(first).isdisjoint(second)
    async with sessions() as session:
        assert len(await outbox_of_kind(session, MessageKind.WHISTLE_REMINDER)) == 4  # A and B of two units
