"""The weekly supervision list: repeated complaints, unsatisfied callbacks, supervised tickets."""

from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.scheduler.support import dispatched_ticket, notices, outbox_of_kind
from tickets import service as svc
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.enums import NoticeKind, ResultCategory, Satisfaction
from tickets.schemas import CallbackAnswers, ReplyData
from tickets.supervision import first_workday_of_week, run_supervision_weekly, week_key


async def unsatisfied_callback(
    session: AsyncSession, *, rules: Rules, clock: ManualClock, org: Org, number: str, day: int
) -> None:
    handler = org.handler(1)
    clock.set(shanghai(2026, 11, day, 10, 0))
    await svc.accept(session, rules=rules, actor=handler, number=number)
    await svc.first_contact(session, rules=rules, actor=handler, number=number, reached=True)
    await svc.reply(
        session,
        rules=rules,
        actor=handler,
        number=number,
        data=ReplyData(
            result=ResultCategory.EXPLAINED,
            text="已向诉求人解释相关政策，目前暂不具备改造条件。",
            contact_person="联络员1A",
            facts="小区不在改造计划内",
            judgement="诉求暂无法满足",
            citizen_opinion="不认可",
            answered_by="联络员1A",
            answered_at=clock.now(),
        ),
    )
    clock.set(shanghai(2026, 11, day, 15, 0))
    await svc.record_callback(session, rules=rules, actor=org.office, number=number, answers=CallbackAnswers(
        reached=True, contacted=True, answered=True, solved=False, satisfaction=Satisfaction.UNSATISFIED))
    await session.commit()


async def test_weekly_list(session: AsyncSession, rules: Rules, clock: ManualClock, org: Org) -> None:
    repeats = [
        await dispatched_ticket(
            session,
            rules=rules,
            clock=clock,
            org=org,
            at=shanghai(2026, 11, 2 + i, 10, 0),
            category="物业管理",
            phone="13912340000",
            content=f"第{i + 1}次反映：物业不作为，垃圾无人清运。",
        )
        for i in range(5)
    ]
    recent = await dispatched_ticket(
        session,
        rules=rules,
        clock=clock,
        org=org,
        at=shanghai(2026, 11, 20, 9, 0),
        unit_index=1,
        phone="13700000001",
        category="住房与城乡建设",
        content="老旧小区加装电梯迟迟没有进展。",
    )
    await unsatisfied_callback(session, rules=rules, clock=clock, org=org, number=recent, day=26)
    older = await dispatched_ticket(
        session,
        rules=rules,
        clock=clock,
        org=org,
        at=shanghai(2026, 11, 9, 9, 0),
        unit_index=1,
        phone="13700000002",
        category="住房与城乡建设",
        content="楼顶漏水。",
    )
    await unsatisfied_callback(session, rules=rules, clock=clock, org=org, number=older, day=13)
    supervised = await dispatched_ticket(session, rules=rules, clock=clock, org=org,
                                         at=shanghai(2026, 11, 24, 9, 0), unit_index=2, phone="13700000003",
                                         category="供电", content="整栋楼反复停电。")
    clock.set(shanghai(2026, 11, 25, 9, 0))
    await svc.supervise(session, rules=rules, actor=org.office, number=supervised, note="区领导批示")
    await session.commit()

    monday = shanghai(2026, 11, 30, 9, 30)
    clock.set(monday)
    result = await run_supervision_weekly(session, rules=rules, at=monday)
    await session.commit()

    assert result.counts() == {
        "ran": 1,
        "tickets": 3,
        "units": 3,
        "repeat": 1,
        "unsatisfied": 1,
        "supervised": 1,
        "letters_created": 3,
        "letters_existing": 0,
        "messages": 6,
        "failed": 0,
    }
    letters = await notices(session)
    assert [(n.kind, n.unit_id, n.period_key) for n in letters] == [
        (NoticeKind.SUPERVISION, unit_id, "2026-W49") for unit_id in org.unit_ids
    ]
    assert "2026年第49周（11月30日—12月6日）需重点督办的工单如下" in letters[0].body
    assert (
        f"| 1 | 重复投诉（5次） | {repeats[4]} | 第5次反映：物业不作为，垃圾无人清运。 | 物业管理 |"
        " 2026-11-06 | 已派单 |"
        in letters[0].body
    )
    assert repeats[3] not in letters[0].body
    assert f"| 1 | 回访不满意 | {recent} |" in letters[1].body and older not in letters[1].body
    assert f"| 1 | 督办件 | {supervised} | 整栋楼反复停电。 | 供电 | 2026-11-24 | 已派单 |" in letters[2].body
    office = await outbox_of_kind(session, "supervision_summary")
    assert [o.payload["text"] for o in office] == [
        "【督办周清单】2026年第49周（11月30日—12月6日）：3 个单位共 3 件工单列入督办（重复投诉 1 件、"
        "回访不满意 1 件、督办件 1 件）。"
    ]

    tuesday = await run_supervision_weekly(session, rules=rules, at=shanghai(2026, 12, 1, 9, 30))
    assert not tuesday.ran
    again = await run_supervision_weekly(session, rules=rules, at=shanghai(2026, 12, 1, 9, 30),
                                         only_first_workday=False)
    await session.commit()
    assert again.counts()["letters_created"] == 0 and again.counts()["letters_existing"] == 3
    assert len(await notices(session)) == 3


def test_first_working_day_of_the_week(rules: Rules) -> None:
    assert first_workday_of_week(rules, date(2026, 11, 23))  # an ordinary Monday
    assert not first_workday_of_week(rules, date(2026, 11, 24))
    # National Day week: Monday to Wednesday are holidays, Thursday is the first working day.
    assert not first_workday_of_week(rules, date(2026, 10, 5))
    assert first_workday_of_week(rules, date(2026, 10, 8))
    assert not first_workday_of_week(rules, date(2026, 10, 10))  # the 调休 Saturday of that week
    assert week_key(date(2027, 1, 1)) == "2026-W53"
