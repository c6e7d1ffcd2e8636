"""The 10-day handling-days statistics and the 《工作提示函》: exact letters, the office's
table, the .docx file, once only."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from docx import Document
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.scheduler.support import dispatched_ticket, notices, outbox_of_kind
from tickets import service as svc
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.enums import NoticeKind
from tickets.letters import list_notices, markdown_to_docx, md_cell, notice_docx, run_handling_days_statistics


def days_before(day: date, days: int, hour: int = 10) -> object:
    earlier = day - timedelta(days=days)
    return shanghai(earlier.year, earlier.month, earlier.day, hour, 0)


@pytest.mark.parametrize("day", [date(2026, 12, 1), date(2026, 12, 11), date(2026, 12, 21)])
async def test_statistics_letters_for_tickets_over_25_days(
    session: AsyncSession, rules: Rules, clock: ManualClock, org: Org, day: date
) -> None:
    numbers = {}
    for days, unit in ((24, 0), (25, 0), (26, 0), (31, 1), (1, 2)):
        numbers[days] = await dispatched_ticket(
            session, rules=rules, clock=clock, org=org, at=days_before(day, days), unit_index=unit,
            content=f"第{days}天的诉求：楼道堆物占用消防通道，联系电话13912345678，请尽快清理。",
        )
    recalled = await dispatched_ticket(session, rules=rules, clock=clock, org=org, at=days_before(day, 40),
                                       unit_index=2)
    clock.set(days_before(day, 1))
    await svc.recall(session, rules=rules, actor=org.office, number=recalled)
    await session.commit()
    at = shanghai(day.year, day.month, day.day, 9, 0)
    clock.set(at)

    result = await run_handling_days_statistics(session, rules=rules, at=at)
    await session.commit()

    assert result.counts() == {
        "units_with_open_tickets": 3, "open_tickets": 5, "tickets_over_warning": 2, "tickets_over_limit": 1,
        "letters_created": 2, "letters_existing": 0, "messages": 4, "failed": 0,
    }
    letters = await notices(session)
    assert [(n.kind, n.unit_id, n.period_key, n.title) for n in letters] == [
        (NoticeKind.HANDLING_DAYS_WARNING, org.unit_ids[0], day.isoformat(), "工作提示函"),
        (NoticeKind.HANDLING_DAYS_WARNING, org.unit_ids[1], day.isoformat(), "工作提示函"),
    ]
    cn_day = f"{day.year}年{day.month}月{day.day}日"
    received_26 = (day - timedelta(days=26)).isoformat()
    received_31 = (day - timedelta(days=31)).isoformat()
    first = letters[0].body
    assert f"截至{cn_day}，你单位承办的以下 1 件工单自受理之日起已超过 25 天尚未办结。" in first
    assert "按照规定，工单须在受理后 30 天内办结。" in first
    assert (f"| 1 | {numbers[26]} | 第26天的诉求：楼道堆物占用消防通道，联系电话139****5678，请尽快清… | "
            f"{received_26} | 26 天 | 剩余 4 天 |") in first
    assert numbers[24] not in first and numbers[25] not in first and "13912345678" not in first
    assert (
        f"| 1 | {numbers[31]} |" in letters[1].body
        and f"| {received_31} | 31 天 | 已超期 1 天 |" in letters[1].body
    )
    assert letters[0].data["tickets"] == [
        {
            "number": numbers[26],
            "summary": letters[0].data["tickets"][0]["summary"],
            "received": received_26,
            "days_open": 26,
            "days_left": 4,
        }
    ]

    pushes = await outbox_of_kind(session, "notice")
    assert len(pushes) == 4
    assert (
        pushes[0].payload["text"]
        == "【工作提示函】区住建局：你单位有 1 件工单办理已超过 25 天，"
        "请在 30 天时限内办结。工单清单见提示函。"
    )
    assert pushes[0].payload["notice_id"] == letters[0].id and "markdown" not in pushes[0].payload
    office = await outbox_of_kind(session, "handling_days_statistics")
    assert len(office) == 1
    assert office[0].payload["text"] == (
        f"【办理天数统计】截至 {cn_day}：3 个单位共有在办工单 5 件，其中超过 25 天 2 件、超过 30 天 1 件，"
        "已向 2 个单位发送《工作提示函》。\n超过 25 天工单较多的单位：\n· 区住建局：1 件\n· 柳林洲街道：1 件"
    )
    table = office[0].payload["markdown"]
    assert "| 区住建局 | 3 | 1 | 0 | 26 |" in table
    assert "| 柳林洲街道 | 1 | 1 | 1 | 31 |" in table
    assert "| 供电分公司 | 1 | 0 | 0 | 1 |" in table

    again = await run_handling_days_statistics(session, rules=rules, at=at)
    await session.commit()
    assert again.counts()["letters_created"] == 0 and again.counts()["letters_existing"] == 2
    assert len(await notices(session)) == 2 and len(await outbox_of_kind(session, "notice")) == 4
    assert len(await outbox_of_kind(session, "handling_days_statistics")) == 1


async def test_letter_as_docx(session: AsyncSession, rules: Rules, clock: ManualClock, org: Org) -> None:
    day = date(2026, 12, 11)
    number = await dispatched_ticket(session, rules=rules, clock=clock, org=org, at=days_before(day, 28),
                                     content="噪音|扰民\n晚上施工到十二点")
    at = shanghai(2026, 12, 11, 9, 0)
    clock.set(at)
    await run_handling_days_statistics(session, rules=rules, at=at)
    await session.commit()
    (notice,) = await notices(session)

    document = Document(io.BytesIO(notice_docx(notice)))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[0] == "工作提示函"
    assert paragraphs[1] == "区住建局："
    assert paragraphs[-2:] == ["区热线办", "2026年12月11日"]
    assert document.core_properties.title == "工作提示函"
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["序号", "工单号", "诉求摘要", "受理日期", "已办理天数", "距30天时限"],
        ["1", number, "噪音｜扰民 晚上施工到十二点", "2026-11-13", "28 天", "剩余 2 天"],
    ]


async def test_list_notices_filters_by_unit_and_kind(session: AsyncSession, rules: Rules, clock: ManualClock,
                                                     org: Org) -> None:
    day = date(2026, 12, 1)
    for unit in (0, 1):
        await dispatched_ticket(
            session, rules=rules, clock=clock, org=org, at=days_before(day, 27), unit_index=unit
        )
    clock.set(shanghai(2026, 12, 1, 9, 0))
    await run_handling_days_statistics(session, rules=rules, at=clock.now())
    await session.commit()
    rows = await list_notices(session, unit="柳林洲街道")
    assert [(r.unit, r.kind, r.period) for r in rows] == [
        ("柳林洲街道", NoticeKind.HANDLING_DAYS_WARNING, "2026-12-01")
    ]
    assert [r.unit for r in await list_notices(session, unit=str(org.unit_ids[0]))] == ["区住建局"]
    assert await list_notices(session, kind=NoticeKind.DUTY_LOGIN_MISSING) == []
    assert set(rows[0].as_json()) >= {"id", "kind", "unit", "period", "created_at"}


def test_markdown_cells_and_docx_of_odd_text() -> None:
    assert md_cell("a|b\n\n c") == "a｜b c"
    text = (
        "# 标题\n\n**单位：**\n\n😀 表情、繁體字與很長的內容"
        + "长" * 5000
        + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    document = Document(io.BytesIO(markdown_to_docx(text, title="标题", created=shanghai(2026, 1, 1))))
    assert document.paragraphs[1].runs[0].bold and document.paragraphs[1].text == "单位："
    assert (
        document.paragraphs[2].text.startswith("😀 表情、繁體字") and len(document.paragraphs[2].text) > 5000
    )
    assert [[c.text for c in r.cells] for r in document.tables[0].rows] == [["a", "b"], ["1", "2"]]
