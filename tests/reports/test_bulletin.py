"""Bulletins end to end: figures in the words, tables in the workbook, charts on disk, nothing personal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from main import cli
from reports.bulletin import build_bulletin
from reports.export import write_bulletin
from reports.periods import parse_period
from reports.rankings import load_ranking_rules
from reports.schemes import load_scheme
from tests.conftest import Org, build_org
from tests.reports.builders import add_citizen, add_ticket, at
from tests.reports.test_indicators import build_october
from tickets.clock import shanghai
from tickets.context import Rules
from tickets.db import SessionFactory, create_engine, session_factory
from tickets.enums import NoticeKind
from tickets.models import DutyLogin, Notice
from tickets.policy import load_policy

PHONE = "13812345678"


async def october_with_private_data(session: AsyncSession, org: Org) -> None:
    await build_october(session, org)
    citizen = await add_citizen(session, "王小明", PHONE)
    await add_ticket(
        session,
        received=at(10, 3),
        unit_id=org.unit_ids[2],
        due=at(10, 10),
        first_contact_due=at(10, 4),
        citizen_id=citizen.id,
        contact_name="王小明",
        contact_phone=PHONE,
        content=f"我是王小明，电话{PHONE}，家里停电三天了没人来修。",
        category="供电",
    )
    await session.commit()


async def test_monthly_bulletin(
    session: AsyncSession, sessions: SessionFactory, org: Org, rules: Rules, tmp_path: Path
) -> None:
    await october_with_private_data(session, org)
    u0, u1, u2 = org.unit_ids
    workdays = [d for d in parse_period("2026-10").days if rules.calendar.is_workday(d)]
    # 区住建局 logs in every working day at 09:30 but one day only at 16:30 and one day not at all;
    # 柳林洲街道 every day; 供电分公司 never, and it got a 工作提示函.
    for i, day in enumerate(workdays):
        session.add(DutyLogin(unit_id=u1, work_date=day, first_login_at=at(day.month, day.day, 8, 50)))
        if i != 1:
            hour, minute = (16, 30) if i == 2 else (9, 30)
            session.add(
                DutyLogin(unit_id=u0, work_date=day, first_login_at=at(day.month, day.day, hour, minute))
            )
    session.add(
        Notice(
            kind=NoticeKind.HANDLING_DAYS_WARNING,
            unit_id=u2,
            period_key="2026-10-21",
            title="工作提示函",
            body="…",
            created_at=at(10, 21, 9),
        )
    )
    await session.commit()
    bulletin = await build_bulletin(
        sessions,
        calendar=rules.calendar,
        kind="monthly",
        period=parse_period("2026-10"),
        policy=load_policy(),
        scheme=load_scheme("pudong-2024"),
        rules=load_ranking_rules(),
        made_at=shanghai(2026, 11, 2, 9),
    )
    files = write_bulletin(bulletin, tmp_path)
    md = files.markdown.read_text(encoding="utf-8")
    assert md.startswith("# 区热线办12345热线工作月报（2026年10月）\n")
    assert (
        "2026年10月，热线共受理诉求12件，其中平台直接答复1件，直接答复率8.33%；派单办理11件；"
        "不属于本辖区、退回来源单位0件；尚待派单0件。"
    ) in md
    assert (
        "派单工单中，应办理9件，已办理5件，办结率55.56%；按期办结4件，按期办结率44.44%；超期办结1件，"
        "超期未办结4件；退回重办1件，返工率11.11%；先行联系率36.36%。"
    ) in md
    assert (
        "回访5件，有效回访4件，有效回访率80.00%；参与满意度测评3件（存电件1件不计入），满意率66.67%；"
        "不满意0件，不满意率0.00%。"
    ) in md
    for section in (
        "## 一、基本情况",
        "## 二、“评优评差”情况",
        "## 三、热点与重复诉求",
        "## 四、群众好评典型件",
        "## 五、吹哨报到与人大代表联动",
        "## 六、工作要求",
    ):
        assert section in md
    # No unit reaches the shipped minimum of 10 tickets: nobody is ranked best.
    assert "**表一：“五佳”承办单位**" in md and "| （无） |" in md
    assert "| 供电分公司 | 2026/10/01 | 超过30天未办结 |" in md
    # The citizen wrote name and phone into the request: both masked in the report.
    assert (
        "| 我是王**，电话138****5678，家里停电三天了没人来修。 | 供电分公司 | 2026/10/03 | 超期未办结，"
        "承办单位未联系当事人 |"
        in md
    )
    assert PHONE not in md and "王小明" not in md
    assert (
        "供电分公司、柳林洲街道2个单位受理量不足5件，样本不足，列入附表但不排名。"
        "本期没有单位达到“五佳”评选条件；区住建局等1个单位为“较差”承办单位（见表二）；另有6件诉求办理“较差”（见表三）。"
        in md
    )
    # Listed but not ranked, and the empty rates are marked, not paid as full points.
    appendix = md.split("附表：各承办单位得分")[1].split("附表：登录值守与提示函")[0]
    assert "| 样本不足 | 供电分公司 |" in appendix and "| 样本不足 | 柳林洲街道 |" in appendix
    assert "| 1 | 区住建局 |" in appendix
    assert "注：“—”表示该项本期没有可计算的数据" in appendix
    assert "注：“样本不足”的单位本期受理量不足5件" in appendix
    assert "各承办单位单月满意率、办结率、及时办结率（按时反馈率）分别不低于95.00%、95.00%、100.00%。" in md
    assert "区住建局（满意率、办结率、按期办结率）" in md
    assert "区住建局办理的物业管理类诉求" in md  # t1 is solved and satisfied: a typical case
    assert f"本期未按时登录值守的单位：供电分公司（{len(workdays)}天）、区住建局（2天）。" in md
    assert f"| 供电分公司 | {len(workdays)} | 0 | {len(workdays)} | 0 | 1 |" in md
    assert f"| 区住建局 | {len(workdays)} | {len(workdays) - 2} | 2 | 0 | 0 |" in md
    assert "| 柳林洲街道 |" not in md.split("附表：登录值守与提示函")[1]

    wb = load_workbook(files.xlsx)
    assert wb.sheetnames == [
        "基本情况",
        "评优单位",
        "较差单位",
        "单位得分",
        "较差诉求件",
        "热点问题",
        "重复诉求",
        "诉求分类",
        "值守与提示函",
        "每日受理量",
        "吹哨报到",
        "代表转办件",
        "代表问题清单",
    ]
    basic = {row[0]: row[1] for row in wb["基本情况"].iter_rows(min_row=3, values_only=True)}
    assert basic["受理诉求"] == 12 and basic["办结率"] == pytest.approx(5 / 9)
    assert wb["基本情况"]["A12"].value == "办结率" and wb["基本情况"]["B12"].number_format == "0.00%"
    units = wb["单位得分"]
    assert units.page_setup.orientation == "landscape" and units.print_title_rows == "$1:$2"
    assert units.freeze_panes == "A3" and units.oddFooter.center.text == "第 &P 页，共 &N 页"
    poor = list(wb["较差诉求件"].iter_rows(min_row=3, values_only=True))
    assert all(PHONE not in str(cell) for row in poor for cell in row)
    assert wb["热点问题"]["A3"].value == "（无）"
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert all(PHONE not in str(c) and "王小明" not in str(c) for c in row)

    assert [p.name for p in files.charts] == [
        "monthly-2026-10-trend.png",
        "monthly-2026-10-categories.png",
        "monthly-2026-10-ranking.png",
    ]
    for chart in files.charts:
        with Image.open(chart) as image:
            assert image.format == "PNG" and image.width > 600 and image.height >= 250


async def test_weekly_bulletin_and_previous_week(
    session: AsyncSession, sessions: SessionFactory, org: Org, tmp_path: Path
) -> None:
    u0 = org.unit_ids[0]
    for day in (16, 17, 18):  # week 47 of 2026: 16–22 November
        await add_ticket(
            session,
            received=at(11, day),
            unit_id=u0,
            due=at(11, day + 5),
            replied=at(11, day + 1),
            first_contact=at(11, day, 11),
            first_contact_due=at(11, day + 1),
        )
    await add_ticket(session, received=at(11, 10), unit_id=u0, due=at(11, 15), replied=at(11, 11))
    await session.commit()
    bulletin = await build_bulletin(
        sessions,
        kind="weekly",
        period=parse_period("2026-W47"),
        policy=load_policy(),
        scheme=load_scheme("comprehensive-index"),
        rules=load_ranking_rules(),
        made_at=shanghai(2026, 11, 23, 9),
    )
    files = write_bulletin(bulletin, tmp_path)
    md = files.markdown.read_text(encoding="utf-8")
    # One pair of brackets in the title, none nested (issue 13).
    assert md.startswith("# 区热线办12345热线工作周报（2026年第47周，11月16日—11月22日）\n")
    assert "上期受理1件，本期环比上升200.00%。" in md
    assert files.xlsx.name == "weekly-2026-W47.xlsx"


async def test_cli_monthly_and_units(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    engine: AsyncEngine = create_engine(f"sqlite:///{db}")
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    async with session_factory(engine)() as session:
        org = await build_org(session)
        await october_with_private_data(session, org)
    await engine.dispose()
    env = {"HOTLINE_DATABASE_URL": f"sqlite:///{db}"}
    runner = CliRunner()
    out = tmp_path / "out"
    result = await _invoke(runner, ["report", "monthly", "--month", "2026-10", "--out", str(out)], env)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "monthly-2026-10-categories.png",
        "monthly-2026-10-ranking.png",
        "monthly-2026-10-trend.png",
        "monthly-2026-10.md",
        "monthly-2026-10.xlsx",
    ]
    bad = await _invoke(runner, ["report", "monthly", "--month", "2026-W47", "--out", str(out)], env)
    assert bad.exit_code != 0 and "无法识别统计周期" in bad.output
    units = await _invoke(
        runner, ["report", "units", "--scheme", "comprehensive-index", "--period", "2026-10", "--json"], env
    )
    assert units.exit_code == 0, units.output
    import json

    data = json.loads(units.output)
    zhujian = next(u for u in data["units"] if u["unit"] == "区住建局")
    # 8 tickets, 7 due, 5 done, 4 on time, 1 rework, 2 satisfied (满意 + 基本满意) of 5 done.
    assert (
        zhujian["received"],
        zhujian["due"],
        zhujian["done"],
        zhujian["on_time"],
        zhujian["rework"],
        zhujian["satisfied"],
    ) == (8, 7, 5, 4, 1, 2)
    # 30.2*5/7 + 30*4/7 + 19.8*6/7 + 20*2/5 = 21.5714… + 17.1428… + 16.9714… + 8 = 63.69
    assert zhujian["score"] == 63.69 and zhujian["grade"] == "B"


async def _invoke(runner: CliRunner, args: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    # The command runs its own event loop: keep it off this test's loop.
    import asyncio

    return await asyncio.to_thread(runner.invoke, cli, args, env=env)


async def test_first_contact_rate_both_ways_once_the_双呼_platform_is_live(
    session: AsyncSession, sessions: SessionFactory, org: Org, tmp_path: Path
) -> None:
    await build_october(session, org)
    # One ticket whose contact the platform's calls prove in time (its button pressed too).
    await add_ticket(session, received=at(10, 12), unit_id=org.unit_ids[0], due=at(10, 19),
                     first_contact=at(10, 12, 15), first_contact_due=at(10, 13),
                     first_contact_proven_at=at(10, 12, 14))
    await session.commit()
    policy = load_policy()
    live = policy.model_copy(update={"contact": policy.contact.model_copy(
        update={"call_evidence_since": date(2026, 10, 1)})})
    bulletin = await build_bulletin(sessions, kind="monthly", period=parse_period("2026-10"), policy=live,
                                    scheme=load_scheme("pudong-2024"), rules=load_ranking_rules(),
                                    made_at=shanghai(2026, 11, 2, 9))
    files = write_bulletin(bulletin, tmp_path)
    md = files.markdown.read_text(encoding="utf-8")
    # Every ticket of the month came in after the go-live: the official rate is the calls' one.
    assert ("先行联系率9.09%（双呼平台2026年10月1日上线，此后受理的工单以通话记录为准；"
            "按先行联系记录计45.45%，按双呼通话记录计9.09%）。") in md
    sheet = load_workbook(files.xlsx)["基本情况"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert (
        rows["先行联系率"],
        rows["先行联系率（按先行联系记录）"],
        rows["先行联系率（按双呼通话记录）"],
    ) == (pytest.approx(1 / 11), pytest.approx(5 / 11), pytest.approx(1 / 11))
