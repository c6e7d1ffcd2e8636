"""Seed 004's working mechanisms reproduced from database fixtures (not from a counts file):
吹哨 1,185 times, streets 1,004 (solution 61.82 %) and departments 181 (69.23 %); 36 tickets
referred by deputies, on time and satisfied 100 %. And the monthly list for the deputies'
liaison on a fixture with the expected rows, through the CLI, XLSX opened with openpyxl."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from reports.bulletin import build_bulletin
from reports.export import write_bulletin
from reports.linkage import deputies_list, deputy_paragraph, deputy_report, whistle_paragraph, whistle_report
from reports.periods import parse_period
from reports.rankings import load_ranking_rules
from reports.schemes import load_scheme
from tests.conftest import Org
from tests.reports.builders import add_ticket, at
from tickets.clock import shanghai
from tickets.db import SessionFactory
from tickets.enums import Channel, RequestType, ResultCategory, Satisfaction, TicketStatus, UnitKind
from tickets.models import Ticket
from tickets.policy import load_policy
from tickets.whistle_models import DeputyReferral, Whistle, WhistleSummons

_numbers = count(1)
SEED_PERIOD = "2020-01-01..2023-06-30"


def whistled_ticket(received: datetime, unit_id: int, *, solved: bool | None) -> Ticket:
    """A ticket of the seed's period: called back solved / not solved, or still open (None)."""
    called = solved is not None
    return Ticket(
        number=f"W{next(_numbers):08d}", channel=Channel.PHONE, request_type=RequestType.COMPLAINT,
        category="房屋安全", content="楼体开裂，涉及多个部门", received_at=received, updated_at=received,
        status=TicketStatus.CLOSED if solved else TicketStatus.ACCEPTED, main_unit_id=unit_id,
        dispatched_at=received, due_at=received + timedelta(days=7),
        replied_at=received + timedelta(days=5) if called else None,
        callback_at=received + timedelta(days=6) if called else None, callback_reached=called or None,
        cb_satisfaction=(Satisfaction.SATISFIED if solved else Satisfaction.UNSATISFIED) if called else None,
        cb_solved=solved, closed_at=received + timedelta(days=6) if solved else None,
        result=ResultCategory.SOLVED if solved else None,
    )


async def seed_whistles(session: AsyncSession, org: Org, *, kind: UnitKind, unit_id: int, whistles: int,
                        called_back: int, solved: int, reported_late: int, missing: int) -> None:
    start = shanghai(2020, 1, 6, 9)
    tickets = [whistled_ticket(start + timedelta(hours=17 * i), unit_id,
                               solved=(i < solved) if i < called_back else None) for i in range(whistles)]
    session.add_all(tickets)
    await session.flush()
    rows = [
        Whistle(
            ticket_id=t.id,
            unit_id=unit_id,
            unit_kind=kind,
            reason="联合处置",  # type: ignore[arg-type]
            blown_at=t.received_at + timedelta(hours=2),
            report_in_due_at=t.received_at + timedelta(hours=4),
        )
        for t in tickets
    ]
    session.add_all(rows)
    await session.flush()
    summoned = org.unit_ids[0] if unit_id != org.unit_ids[0] else org.unit_ids[2]
    for i, whistle in enumerate(rows):
        due = whistle.report_in_due_at
        reported = None if i < missing else due + timedelta(hours=1) if i < missing + reported_late else due
        session.add(WhistleSummons(whistle_id=whistle.id, unit_id=summoned, due_at=due,  # type: ignore[arg-type]
                                   reported_in_at=reported))


async def test_seed_004_whistle_lines_from_the_database(session: AsyncSession, org: Org) -> None:
    street, department = org.unit_ids[1], org.unit_ids[0]
    await seed_whistles(session, org, kind=UnitKind.STREET, unit_id=street, whistles=1004, called_back=990,
                        solved=612, reported_late=40, missing=14)
    await seed_whistles(
        session,
        org,
        kind=UnitKind.DEPARTMENT,
        unit_id=department,
        whistles=181,
        called_back=169,
        solved=117,
        reported_late=9,
        missing=2,
    )
    # Outside the period: not counted.
    outside = whistled_ticket(shanghai(2023, 7, 3, 9), street, solved=True)
    session.add(outside)
    await session.flush()
    session.add(
        Whistle(
            ticket_id=outside.id,
            unit_id=street,
            unit_kind=UnitKind.STREET,  # type: ignore[arg-type]
            reason="联合处置",
            blown_at=shanghai(2023, 7, 3, 10),
            report_in_due_at=shanghai(2023, 7, 3, 12),
        )
    )
    await session.commit()

    report = await whistle_report(session, period=parse_period(SEED_PERIOD))
    assert [(line.label, line.whistles, line.solved, line.solved_asked) for line in report.lines] == [
        ("街道", 1004, 612, 990), ("部门", 181, 117, 169)]
    assert whistle_paragraph(report) == (
        "2020年01月01日—2023年06月30日，共吹哨1185次，其中街道1004次，解决率61.82%；部门181次，解决率69.23%。"
        "点名报到1185个单位次，按时报到1120个，按时报到率94.51%。")
    assert report.total.reported_in == 1185 - 16


async def test_seed_004_deputy_tickets_on_time_and_satisfied(session: AsyncSession, org: Org) -> None:
    unit = org.unit_ids[1]
    for i in range(36):
        day = shanghai(2023, 1, 3) + timedelta(days=4 * i)
        ticket = await add_ticket(
            session,
            received=day,
            unit_id=unit,
            due=day + timedelta(days=7),
            replied=day + timedelta(days=3),
            callback=day + timedelta(days=4),
            reached=True,
            satisfaction=Satisfaction.SATISFIED if i % 6 else Satisfaction.BASICALLY_SATISFIED,
            result=ResultCategory.SOLVED,
            solved=True,
        )
        session.add(DeputyReferral(ticket_id=ticket.id, deputy=f"代表{i % 4}", station="某街道人大代表联络站",  # type: ignore[arg-type]
                                   referred_at=day))
    # Not referred by a deputy, late and unsatisfied: it does not touch the deputies' figures.
    await add_ticket(session, received=shanghai(2023, 2, 1), unit_id=unit, due=shanghai(2023, 2, 8),
                     replied=shanghai(2023, 2, 20), callback=shanghai(2023, 2, 21), reached=True,
                     satisfaction=Satisfaction.UNSATISFIED, solved=False)
    await session.commit()
    report = await deputy_report(session, period=parse_period("2023-01-01..2023-06-30"), limit_days=30)
    assert (
        report.referred,
        report.counts["due"],
        report.counts["on_time"],
        report.counts["evaluations"],
    ) == (36, 36, 36, 36)
    assert deputy_paragraph(report) == ("2023年01月01日—2023年06月30日，转办人大代表接收的群众反映问题36件，"
                                        "承办单位按时办结率100.00%，群众满意率100.00%。")


async def month_fixture(session: AsyncSession, org: Org) -> dict[str, str]:
    """November 2026: which tickets the deputies' list must hold, and which it must not."""
    u0, u1 = org.unit_ids[0], org.unit_ids[1]
    made: dict[str, str] = {}

    async def ticket(key: str, **fields: object) -> Ticket:
        t = await add_ticket(session, **{"received": at(11, 5), "unit_id": u0, **fields})  # type: ignore[arg-type]
        made[key] = t.number
        return t

    async def whistle(t: Ticket, day: int) -> None:
        session.add(Whistle(ticket_id=t.id, unit_id=u1, unit_kind=UnitKind.STREET, reason="联合处置",  # type: ignore[arg-type]
                            blown_at=at(11, day), report_in_due_at=at(11, day, 12)))

    await ticket("repeat3", repeat_count=2, content="第三次反映：小区垃圾站臭气熏天，电话13912345678")
    await ticket("repeat2", repeat_count=1)
    await ticket("supervised_open", supervised=True, received=at(11, 2), unit_id=u1, category="城市管理",
                 content="道路塌陷一直没有修复")
    await ticket("supervised_solved", supervised=True, replied=at(11, 10), callback=at(11, 11), reached=True,
                 satisfaction=Satisfaction.SATISFIED, solved=True, closed_at=at(11, 11))
    await ticket("unsatisfied", status=TicketStatus.ACCEPTED, callback=at(11, 20), reached=True,
                 satisfaction=Satisfaction.UNSATISFIED, solved=False, rework_count=1)
    await ticket("unsatisfied_october", received=at(10, 2), status=TicketStatus.CLOSED, callback=at(10, 20),
                 reached=True, satisfaction=Satisfaction.UNSATISFIED, solved=True, closed_at=at(10, 21))
    await whistle(await ticket("whistled_open", unit_id=u1, content="楼体开裂，街道吹哨"), 6)
    await whistle(
        await ticket(
            "whistled_closed",
            unit_id=u1,
            closed_at=at(11, 25),
            status=TicketStatus.CLOSED,
            callback=at(11, 25),
            reached=True,
            satisfaction=Satisfaction.SATISFIED,
            solved=True,
        ),
        7,
    )
    hardest = await ticket("hardest", repeat_count=5, supervised=True, unit_id=u1, received=at(11, 3),
                           content="第六次反映：违建占道无人处理，我是王小明", contact_name="王小明")
    await whistle(hardest, 8)
    await ticket("archived", repeat_count=7, archived=True)
    await ticket("december", repeat_count=4, received=at(12, 1))
    # Open at the month's end, solved in December: on November's list.
    late = await ticket(
        "closed_in_december", supervised=True, closed_at=at(12, 3), status=TicketStatus.CLOSED
    )
    session.add(DeputyReferral(ticket_id=late.id, deputy="李代表", referred_at=at(11, 6)))  # type: ignore[arg-type]
    await session.commit()
    return made


async def test_monthly_deputies_list_has_the_expected_rows(session: AsyncSession, org: Org) -> None:
    made = await month_fixture(session, org)
    found = await deputies_list(session, period=parse_period("2026-11"), policy=load_policy())
    by_number = {row.number: row for row in found.rows}
    names = {number: key for key, number in made.items()}
    assert [names[row.number] for row in found.rows] == [
        "hardest", "repeat3", "supervised_open", "unsatisfied", "whistled_open", "closed_in_december"]
    assert by_number[made["hardest"]].reasons == ["反复投诉（6次）", "督办未解决", "吹哨未解决"]
    assert by_number[made["repeat3"]].reasons == ["反复投诉（3次）"]
    assert by_number[made["unsatisfied"]].reasons == ["回访不满意"]
    assert by_number[made["closed_in_december"]].deputy == "李代表"
    # The citizen's phone and name never reach the list.
    assert by_number[made["repeat3"]].summary == "第三次反映：小区垃圾站臭气熏天，电话139****5678"
    assert "王小明" not in by_number[made["hardest"]].summary


@pytest.fixture
def cli_database(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    url = engine.url.render_as_string(hide_password=False).replace("+aiosqlite", "").replace("+asyncpg", "")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", url)


async def test_deputies_cli_writes_markdown_and_xlsx(session: AsyncSession, org: Org, cli_database: None,
                                                     tmp_path: Path) -> None:
    made = await month_fixture(session, org)
    result = await _invoke(["deputies", "--month", "2026-11", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        str(tmp_path / "deputies-2026-11.md"),
        str(tmp_path / "deputies-2026-11.xlsx"),
    ]

    wb = load_workbook(tmp_path / "deputies-2026-11.xlsx")
    assert wb.sheetnames == ["代表问题清单"]
    sheet = wb["代表问题清单"]
    assert sheet["A1"].value == "区热线办人大代表联系点问题清单（2026年11月）"
    assert [c.value for c in sheet[2]] == [
        "序号",
        "工单号",
        "受理日期",
        "诉求分类",
        "承办单位",
        "诉求问题",
        "列入原因",
        "次数",
        "当前状态",
        "转办代表",
    ]
    rows = list(sheet.iter_rows(min_row=3, max_row=8, values_only=True))
    assert [r[1] for r in rows] == [made[k] for k in ("hardest", "repeat3", "supervised_open", "unsatisfied",
                                                      "whistled_open", "closed_in_december")]
    assert (
        rows[0][4] == "柳林洲街道"
        and rows[0][6] == "反复投诉（6次）、督办未解决、吹哨未解决"
        and rows[0][7] == 6
    )
    assert rows[0][2].date().isoformat() == "2026-11-03" and sheet["C3"].number_format == "yyyy/mm/dd"
    assert rows[5][9] == "李代表" and rows[1][9] == "—"
    assert sheet.cell(row=10, column=1).value.startswith(
        "列入规则（满足其一）：同一事项反映3次以上仍未解决；督办件月末仍未解决"
    )
    assert all("13912345678" not in str(c) and "王小明" not in str(c)
               for row in sheet.iter_rows(values_only=True) for c in row)
    md = (tmp_path / "deputies-2026-11.md").read_text(encoding="utf-8")
    assert md.startswith(
        "# 区热线办人大代表联系点问题清单（2026年11月）\n\n本月向人代联委推送投诉集中、办理难度大的问题6件"
    )
    assert f"| 1 | {made['hardest']} | 2026/11/03 | 物业管理 | 柳林洲街道 |" in md
    assert "139****5678" in md and "13912345678" not in md


async def _invoke(args: list[str]):  # type: ignore[no-untyped-def]
    """The CLI runs its own event loop (asyncio.run): in a thread, outside the test's loop."""
    import asyncio

    from reports.cli import report

    return await asyncio.to_thread(CliRunner().invoke, report, args)


async def test_monthly_bulletin_gains_the_linkage_section(
    session: AsyncSession, sessions: SessionFactory, org: Org, tmp_path: Path
) -> None:
    made = await month_fixture(session, org)
    # Two whistles of November have summons: one reported in on time, one late.
    whistles = (await session.exec(select(Whistle).order_by(col(Whistle.id)))).all()
    for whistle, late in zip(whistles[:2], (False, True), strict=True):
        session.add(
            WhistleSummons(
                whistle_id=whistle.id,
                unit_id=org.unit_ids[2],  # type: ignore[arg-type]
                due_at=whistle.report_in_due_at,
                reported_in_at=whistle.report_in_due_at + timedelta(hours=3 if late else -1),
            )
        )
    await session.commit()
    bulletin = await build_bulletin(
        sessions,
        kind="monthly",
        period=parse_period("2026-11"),
        policy=load_policy(),
        scheme=load_scheme("pudong-2024"),
        rules=load_ranking_rules(),
        made_at=shanghai(2026, 12, 1, 9),
    )
    files = write_bulletin(bulletin, tmp_path, with_charts=False)
    md = files.markdown.read_text(encoding="utf-8")
    section = md.split("## 五、吹哨报到与人大代表联动")[1].split("## 六、工作要求")[0]
    assert section.strip().splitlines() == [
        (
            "2026年11月，共吹哨3次，其中街道3次，解决率100.00%。点名报到2个单位次，按时报到1个，按时报到率50.00%。"
        ),
        "",
        "**附表：吹哨报到情况**",
        "",
        "| 吹哨主体 | 吹哨次数 | 点名报到单位次 | 已报到 | 按时报到 | 按时报到率 | "
        "已回访件 | 已解决 | 解决率 |",
        "|---|---|---|---|---|---|---|---|---|",
        "| 街道 | 3 | 2 | 2 | 1 | 50.00% | 1 | 1 | 100.00% |",
        "| 合计 | 3 | 2 | 2 | 1 | 50.00% | 1 | 1 | 100.00% |",
        "",
        "2026年11月，转办人大代表接收的群众反映问题1件，承办单位按时办结率—，群众满意率—。",
        "",
        "本月向人代联委推送投诉集中、办理难度大的问题6件（清单见附表：人大代表联系点问题清单）。",
    ]
    appendix = md.split("**附表：人大代表联系点问题清单**")[1]
    assert f"| 1 | {made['hardest']} | 2026/11/03 | 物业管理 | 柳林洲街道 |" in appendix
    wb = load_workbook(files.xlsx)
    assert wb.sheetnames[-3:] == ["吹哨报到", "代表转办件", "代表问题清单"]
    assert [c.value for c in wb["吹哨报到"][3]] == ["街道", 3, 2, 2, 1, 0.5, 1, 1, 1.0]
    assert wb["吹哨报到"]["F3"].number_format == "0.00%"
    assert [c.value for c in wb["代表转办件"][3]][:3] == [1, 0, 0]
    assert wb["代表问题清单"].max_row == 10


async def test_the_office_sets_the_rules_of_the_list(session: AsyncSession, org: Org, tmp_path: Path) -> None:
    made = await month_fixture(session, org)
    office = tmp_path / "policy.yaml"
    office.write_text("deputies:\n  repeat_min: 2\n  supervised: false\n  max_rows: 3\n", encoding="utf-8")
    found = await deputies_list(session, period=parse_period("2026-11"), policy=load_policy(office))
    names = {number: key for key, number in made.items()}
    # Twice is enough now; supervision alone no longer is; three rows at most.
    assert [names[r.number] for r in found.rows] == ["hardest", "repeat3", "repeat2"]
    assert found.rows[0].reasons == ["反复投诉（6次）", "吹哨未解决"]
    assert found.rules == ["同一事项反映2次以上仍未解决", "本月回访不满意", "吹哨件月末仍未解决"]
