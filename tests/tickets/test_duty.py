"""The 16:00 duty-login check on real databases, with a controlled clock."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.scheduler.support import notices, outbox_of_kind
from tickets import logins, queries
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.duty import run_duty_login_check
from tickets.enums import NoticeKind


async def login(session: AsyncSession, rules: Rules, clock: ManualClock, org: Org, unit_index: int,
                hour: int, minute: int, day: date) -> None:
    clock.set(shanghai(day.year, day.month, day.day, hour, minute))
    actor = org.handler(unit_index)
    await logins.record_duty_login(session, rules=rules, unit_id=actor.unit_id, staff_id=actor.id)  # type: ignore[arg-type]
    await session.commit()


async def test_ordinary_weekday_1559_counts_1601_does_not(session: AsyncSession, rules: Rules,
                                                          clock: ManualClock, org: Org) -> None:
    day = date(2026, 11, 23)  # a Monday
    await login(session, rules, clock, org, 0, 15, 59, day)
    await login(session, rules, clock, org, 1, 16, 1, day)
    clock.set(shanghai(2026, 11, 23, 16, 0))

    result = await run_duty_login_check(session, rules=rules, at=shanghai(2026, 11, 23, 16, 0))
    await session.commit()

    assert result.workday and result.total_units == 3 and result.logged_in == 1
    assert result.missing_units == ["柳林洲街道", "供电分公司"]
    letters = await notices(session)
    assert [(n.kind, n.unit_id, n.period_key) for n in letters] == [
        (NoticeKind.DUTY_LOGIN_MISSING, org.unit_ids[1], "2026-11-23"),
        (NoticeKind.DUTY_LOGIN_MISSING, org.unit_ids[2], "2026-11-23"),
    ]
    assert letters[0].title == "未按时登录值守提示函"
    assert "**柳林洲街道：**" in letters[0].body
    assert "2026年11月23日为工作日。截至当日 16:00，你单位未登录12345热线平台值守。" in letters[0].body
    assert letters[0].body.rstrip().endswith("区热线办\n\n2026年11月23日")

    pushes = await outbox_of_kind(session, "notice")
    # Both handlers of each unit: A in the chat, B (no Telegram) by SMS.
    assert sorted((p.channel.value, p.recipient) for p in pushes) == [
        ("sms", "13800001002"), ("sms", "13800002002"), ("telegram", "1011"), ("telegram", "1021"),
    ]
    assert (
        pushes[0].payload["text"]
        == "【提示函】柳林洲街道：2026年11月23日截至 16:00，你单位未登录12345热线平台值守。"
        "请A、B角联络员每个工作日按时登录。详见提示函。"
    )
    assert pushes[0].payload["attachment"]["filename"] == "未按时登录值守提示函-柳林洲街道-2026-11-23.docx"
    office = await outbox_of_kind(session, "duty_login_summary")
    assert [(o.recipient, o.payload["text"]) for o in office] == [(
        "9001",
        "【值守登录检查】2026年11月23日 16:00：应登录 3 个单位，已登录 1 个，未登录 2 个，已发送提示函：\n"
        "· 柳林洲街道\n· 供电分公司",
    )]

    # Run again (an office re-running the check): nothing is sent twice.
    again = await run_duty_login_check(session, rules=rules, at=shanghai(2026, 11, 23, 16, 0))
    await session.commit()
    assert again.letters.created == [] and again.letters.existing == 2 and again.letters.messages == 0
    assert len(await notices(session)) == 2
    assert len(await outbox_of_kind(session, "notice")) == 4
    assert len(await outbox_of_kind(session, "duty_login_summary")) == 1


async def test_all_logged_in_gives_only_the_summary(session: AsyncSession, rules: Rules, clock: ManualClock,
                                                    org: Org) -> None:
    day = date(2026, 11, 24)
    for index in range(3):
        await login(session, rules, clock, org, index, 9, 30 + index, day)
    result = await run_duty_login_check(session, rules=rules, at=shanghai(2026, 11, 24, 16, 0))
    await session.commit()
    assert result.missing_units == [] and await notices(session) == []
    office = await outbox_of_kind(session, "duty_login_summary")
    assert [o.payload["text"] for o in office] == [
        "【值守登录检查】2026年11月24日 16:00：应登录 3 个单位，全部已按时登录。"
    ]


async def test_a_login_on_another_day_does_not_count(session: AsyncSession, rules: Rules, clock: ManualClock,
                                                     org: Org) -> None:
    await login(session, rules, clock, org, 0, 10, 0, date(2026, 11, 20))  # the Friday before
    result = await run_duty_login_check(session, rules=rules, at=shanghai(2026, 11, 23, 16, 0))
    assert result.missing_units == ["区住建局", "柳林洲街道", "供电分公司"]


async def test_national_holiday_sends_nothing(session: AsyncSession, rules: Rules, org: Org) -> None:
    result = await run_duty_login_check(session, rules=rules, at=shanghai(2026, 10, 1, 16, 0))
    await session.commit()
    assert not result.workday and result.counts()["missing"] == 0
    assert await notices(session) == [] and await outbox_of_kind(session, "duty_login_summary") == []


async def test_adjusted_working_saturday_is_checked(session: AsyncSession, rules: Rules, org: Org) -> None:
    # Saturday 10 October 2026 is a working day (调休) after the National Day holiday.
    result = await run_duty_login_check(session, rules=rules, at=shanghai(2026, 10, 10, 16, 0))
    await session.commit()
    assert result.workday and len(result.missing_units) == 3
    assert {n.period_key for n in await notices(session)} == {"2026-10-10"}


async def test_ordinary_sunday_is_not_checked(session: AsyncSession, rules: Rules, org: Org) -> None:
    result = await run_duty_login_check(session, rules=rules, at=shanghai(2026, 11, 22, 16, 0))
    assert not result.workday and result.total_units == 0


async def test_2027_without_calendar_data_runs_as_weekday_with_one_warning(
    session: AsyncSession, rules: Rules, org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        monday = await run_duty_login_check(session, rules=rules, at=shanghai(2027, 1, 4, 16, 0))
        tuesday = await run_duty_login_check(session, rules=rules, at=shanghai(2027, 1, 5, 16, 0))
        saturday = await run_duty_login_check(session, rules=rules, at=shanghai(2027, 1, 9, 16, 0))
    await session.commit()
    assert monday.workday and tuesday.workday and not saturday.workday
    assert not monday.calendar_covered and len(monday.missing_units) == 3
    warnings = [r for r in caplog.records if "No official holiday data for 2027" in r.getMessage()]
    assert len(warnings) == 1
    office = await outbox_of_kind(session, "duty_login_summary")
    assert office[0].payload["text"].endswith(
        "（注意：2027年节假日数据尚未发布，本次按周一至周五为工作日检查，请及时维护节假日配置。）")


async def test_before_the_deadline_nobody_is_counted_absent(
    session: AsyncSession, rules: Rules, org: Org
) -> None:
    result = await run_duty_login_check(session, rules=rules, at=shanghai(2026, 11, 23, 10, 0))
    await session.commit()
    assert result.too_early and result.missing_units == [] and await notices(session) == []


async def test_inactive_units_and_the_office_are_not_checked(
    session: AsyncSession, rules: Rules, org: Org
) -> None:
    unit = await queries.get_unit(session, unit_id=org.unit_ids[2])
    unit.active = False
    await session.commit()
    result = await run_duty_login_check(session, rules=rules, at=shanghai(2026, 11, 23, 16, 0))
    assert result.total_units == 2 and result.missing_units == ["区住建局", "柳林洲街道"]


async def test_bulletin_duty_table_counts_the_letters_the_check_sent(
    session: AsyncSession, rules: Rules, clock: ManualClock, org: Org
) -> None:
    """The monthly duty table once showed "未登录提示函 0" for every unit (issue 13): a letter is
    counted for the working day it is about, even when the check caught up after the month."""
    from reports.indicators import duty_records
    from reports.periods import parse_period

    period = parse_period("2026-11")
    workdays = [date(2026, 11, 27), date(2026, 11, 30)]  # Friday, Monday
    await login(session, rules, clock, org, 0, 9, 0, workdays[0])
    await login(session, rules, clock, org, 0, 9, 0, workdays[1])
    await login(session, rules, clock, org, 1, 9, 0, workdays[1])
    clock.set(shanghai(2026, 11, 27, 16, 0))
    await run_duty_login_check(session, rules=rules, at=shanghai(2026, 11, 27, 16, 0))
    await session.commit()
    # The 30 November check was missed while the service was down and caught up on 1 December.
    clock.set(shanghai(2026, 12, 1, 8, 30))
    await run_duty_login_check(session, rules=rules, at=shanghai(2026, 11, 30, 16, 0))
    await session.commit()
    records = {r.unit: r for r in await duty_records(session, period=period, workdays=workdays,
                                                     deadline=rules.policy.checks.duty_login_deadline)}
    assert [
        (records[u].missed, records[u].login_letters) for u in ("区住建局", "柳林洲街道", "供电分公司")
    ] == [
        (0, 0),
        (1, 1),
        (2, 2),
    ]
