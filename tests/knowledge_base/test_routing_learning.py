"""The unit router learns from the office's dispatches (issue 17): every dispatch is a label,
the weekly retraining promotes a model only when it beats the one in use, and the office
can list, promote and roll back models. Real service functions, both databases."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
import zlib
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.classify import ModelFormatError, ModelNotFound
from knowledge_base.classify import texts as ct
from knowledge_base.classify.model import MAGIC
from knowledge_base.classify.retrain import current_model, list_models, promote, retrain, rollback
from knowledge_base.matcher import Entry, build_knowledge_base
from knowledge_base.models import RoutingModel, RoutingModelStatus
from knowledge_base.segment import Segmenter
from knowledge_base.unit_routing import KbUnitSuggester, suggest_units
from reports.bulletin import build_bulletin
from reports.export import write_bulletin
from reports.periods import parse_period
from reports.rankings import load_ranking_rules
from reports.schemes import load_scheme
from scheduler.config import SchedulerSettings
from scheduler.core import JobScheduler
from scheduler.jobs import ROUTING_RETRAIN
from scheduler.models import JobRun, RunTrigger
from tests.conftest import Org, build_org
from tests.knowledge_base.test_hybrid import CountingEncoder
from tickets import intake
from tickets import service as svc
from tickets.clock import SHANGHAI, ManualClock, shanghai
from tickets.context import Rules, load_rules
from tickets.db import SessionFactory, create_engine, session_factory, upgrade_database
from tickets.enums import Channel, RequestType
from tickets.models import Outbox, RoutingLabel
from tickets.routing_labels import Suggestions, router_quality
from tickets.schemas import TicketCreate

# Each unit's matters, worded so that the units' own keywords (物业 房屋 维修 / 街道 小区 /
# 停电 电费) rarely appear: the keyword rules are weak, the office's history is not.
MATTERS = [
    [
        "电梯经常故障停运",
        "楼顶漏水渗到家里",
        "墙体开裂有安全隐患",
        "外墙瓷砖脱落砸到车",
        "楼道防盗门坏了",
        "公共维修资金用不了",
    ],
    [
        "路边摊贩占道经营",
        "垃圾堆放无人清理",
        "广场舞噪音扰民",
        "流浪狗成群出没",
        "有人违章搭建棚子",
        "巷子里路灯不亮",
    ],
    [
        "家里突然没电了",
        "电压不稳烧坏电器",
        "这个月电费账单异常偏高",
        "电线杆倾斜快倒了",
        "变压器一直嗡嗡响",
        "电表走字太快",
    ],
]
PLACES = ["幸福里", "建设路", "和平街", "东湖花园", "红星村", "滨江苑"]
ENDINGS = ["，请尽快处理。", "，希望有关部门管一管。", "，已经反映多次没人管。", "，影响正常生活。"]


def matter(rng: random.Random, unit_index: int) -> str:
    return f"{rng.choice(PLACES)}{rng.choice(MATTERS[unit_index])}{rng.choice(ENDINGS)}"


def with_router(rules: Rules) -> Rules:
    """The app's wiring (integrations.app): suggestions recorded with each dispatch."""
    return replace(rules, unit_suggester=KbUnitSuggester(lambda: None))


async def dispatch_one(session: AsyncSession, *, rules: Rules, org: Org, content: str, unit_index: int,
                       co: tuple[int, ...] = ()) -> str:
    ticket = await intake.create_ticket(
        session,
        rules=rules,
        actor=org.office,
        data=TicketCreate(
            channel=Channel.PHONE,
            request_type=RequestType.COMPLAINT,
            content=content,
            contact_phone="13800138000",
        ),
    )
    await svc.dispatch(session, rules=rules, actor=org.office, number=ticket.number,
                       unit_id=org.unit_ids[unit_index], co_unit_ids=[org.unit_ids[i] for i in co])
    return ticket.number


async def history(
    session: AsyncSession,
    *,
    rules: Rules,
    clock: ManualClock,
    org: Org,
    first_monday: datetime,
    weeks: int,
    per_unit_per_week: int = 8,
    seed: int = 0,
) -> None:
    """Weeks of dispatches, each to the unit the matter belongs to (the office knows)."""
    rng = random.Random(seed)
    for week in range(weeks):
        for i in range(per_unit_per_week * 3):
            clock.set(first_monday + timedelta(weeks=week, days=i % 5, hours=1 + i % 7))
            await dispatch_one(session, rules=rules, org=org, content=matter(rng, i % 3), unit_index=i % 3)
    await session.commit()


async def office_messages(session: AsyncSession) -> list[str]:
    rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    return [row.payload["text"] for row in rows if row.payload.get("kind") == "routing_model"]


async def test_a_dispatch_is_a_label_and_an_approved_return_corrects_it(
    session: AsyncSession, rules: Rules, clock: ManualClock, org: Org
) -> None:
    rules = with_router(rules)
    number = await dispatch_one(session, rules=rules, org=org,
                                content="小区停电两天了，电费也交了，请供电部门处理。电话13800138000",
                                unit_index=0, co=(1,))
    await session.commit()
    label = (await session.exec(select(RoutingLabel))).one()
    # The keyword rules suggested the power company first; the office chose the housing bureau
    # with the street as a co-unit (kept apart from the label's unit).
    assert label.suggested[0]["name"] == "供电分公司"
    assert (label.unit_id, label.dispatched_unit_id, label.co_unit_ids) == (org.unit_ids[0], org.unit_ids[0],
                                                                            [org.unit_ids[1]])
    assert not label.first_taken and label.model_version == "keywords" and label.corrected_at is None
    assert "停电两天" in label.text and "13800138000" not in label.text  # the matter kept, the phone masked
    # The housing bureau returns it; the office agrees and re-dispatches to the power company.
    clock.advance(timedelta(hours=1))
    await svc.request_return(
        session,
        rules=rules,
        actor=org.handler(0),
        number=number,
        reason="不属于本单位职责",
        suggested_unit="供电分公司",
    )
    await svc.decide_return(session, rules=rules, actor=org.office, number=number, approve=True,
                            new_unit_id=org.unit_ids[2])
    await session.commit()
    await session.refresh(label)
    assert (label.unit_id, label.dispatched_unit_id) == (org.unit_ids[2], org.unit_ids[0])
    assert label.corrected_at is not None
    # Judged by the right unit, the router's first suggestion was right.
    quality = await router_quality(session, start=clock.now().date() - timedelta(days=1),
                                   end=clock.now().date() + timedelta(days=1))
    assert (quality.overall.n, quality.overall.top1, quality.by_unit["供电分公司"].top1) == (1, 1, 1)


async def test_without_a_router_the_label_is_kept_without_suggestions(session: AsyncSession, rules: Rules,
                                                                       org: Org) -> None:
    await dispatch_one(session, rules=rules, org=org, content="楼道防盗门坏了。", unit_index=0)
    await session.commit()
    label = (await session.exec(select(RoutingLabel))).one()
    assert (label.suggested, label.first_taken, label.model_version) == ([], False, "")


async def test_retrain_promotes_refuses_promotes_by_hand_and_rolls_back(session: AsyncSession, rules: Rules,
                                                                        clock: ManualClock, org: Org) -> None:
    rules = with_router(rules)
    # Four weeks of history before Monday 2026-11-23; the last one is held out.
    await history(session, rules=rules, clock=clock, org=org, first_monday=shanghai(2026, 10, 26, 9), weeks=4)
    clock.set(shanghai(2026, 11, 23, 10, 0))
    first = await retrain(session, rules=rules)
    await session.commit()
    assert first.promoted and first.version == 1 and first.n_train == 72
    assert first.candidate is not None and first.current is not None
    assert first.candidate.n == 24 and first.candidate.top1 > first.current.top1
    assert first.candidate.top3 == 1.0  # three units: the right one is always among three
    # The office is told; the model now makes the suggestions (and says so in the label).
    assert [m.startswith("派单模型 model:1 已启用") for m in await office_messages(session)] == [True]
    found, version = await suggest_units(session, kb=None, content="建设路电压不稳烧坏电器，请尽快处理。")
    assert (found[0].name, version) == ("供电分公司", "model:1")
    # The same data again: not better than the model in use, refused and said so.
    second = await retrain(session, rules=rules)
    await session.commit()
    assert (second.version, second.promoted) == (2, False)
    assert (await office_messages(session))[-1].startswith("派单模型 model:2 未启用")
    rows = await list_models(session)
    assert [(r.id, r.status) for r in rows] == [
        (2, RoutingModelStatus.REFUSED),
        (1, RoutingModelStatus.PROMOTED),
    ]
    assert rows[1].libraries["scikit-learn"] and rows[1].n_holdout == 24
    assert rows[1].window_end == shanghai(2026, 11, 16) and rows[1].holdout_end == shanghai(2026, 11, 23)
    # A person overrules: 2 in use; rolled back to 1, then to the keyword rules.
    await promote(session, rules=rules, version=2)
    await session.commit()
    assert (await current_model(session)).version == "model:2"  # type: ignore[union-attr]
    assert (await rollback(session, rules=rules)).id == 1  # type: ignore[union-attr]
    await session.commit()
    assert (await current_model(session)).version == "model:1"  # type: ignore[union-attr]
    assert await rollback(session, rules=rules) is None
    await session.commit()
    assert await current_model(session) is None
    assert (await suggest_units(session, kb=None, content="家里突然没电了"))[1] == "keywords"
    with pytest.raises(ModelNotFound, match="无需回退"):
        await rollback(session, rules=rules)
    with pytest.raises(ModelNotFound, match="没有版本为 9"):
        await promote(session, rules=rules, version=9)


async def test_a_damaged_training_set_is_refused(session: AsyncSession, rules: Rules, clock: ManualClock,
                                                 org: Org) -> None:
    rules = with_router(rules)
    await history(session, rules=rules, clock=clock, org=org, first_monday=shanghai(2026, 10, 26, 9), weeks=4)
    clock.set(shanghai(2026, 11, 23, 10, 0))
    assert (await retrain(session, rules=rules)).promoted
    await session.commit()
    # A week more of good dispatches (the next held-out week)...
    await history(session, rules=rules, clock=clock, org=org, first_monday=shanghai(2026, 11, 23, 9), weeks=1,
                  seed=1)
    # ...but the history before it is damaged: every label names the wrong unit.
    ids = org.unit_ids
    for right, wrong in zip(ids, ids[1:] + ids[:1], strict=True):
        await session.exec(
            update(RoutingLabel)
            .where(
                col(RoutingLabel.dispatched_at) < shanghai(2026, 11, 23),  # type: ignore[call-overload]
                col(RoutingLabel.dispatched_unit_id) == right,
            )
            .values(unit_id=wrong)
        )
    await session.commit()
    clock.set(shanghai(2026, 11, 30, 10, 0))
    outcome = await retrain(session, rules=rules)
    await session.commit()
    assert not outcome.promoted and outcome.candidate is not None and outcome.current is not None
    assert outcome.candidate.top1 < 0.5 < outcome.current.top1
    assert (await current_model(session)).version == "model:1"  # type: ignore[union-attr]
    assert (await office_messages(session))[-1].startswith("派单模型 model:2 未启用")


async def test_too_little_history_trains_nothing(session: AsyncSession, rules: Rules, clock: ManualClock,
                                                 org: Org) -> None:
    await history(session, rules=rules, clock=clock, org=org, first_monday=shanghai(2026, 11, 9, 9), weeks=1,
                  per_unit_per_week=3)
    clock.set(shanghai(2026, 11, 23, 10, 0))
    outcome = await retrain(session, rules=rules)
    assert outcome.version is None and "只有 9 条" in outcome.reason
    assert await list_models(session) == []


async def test_a_model_of_an_older_format_is_refused(session: AsyncSession, rules: Rules,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    raw = MAGIC + b'{"format_version": 2, "libraries": {"scikit-learn": "1.0"}}\n' + b"old pickle"
    row = RoutingModel(created_at=rules.now(), trigger="manual", status=RoutingModelStatus.REFUSED,
                       window_start=rules.now(), window_end=rules.now(), holdout_end=rules.now(),
                       format_version=2, sha256=uuid.uuid4().hex * 2, payload=zlib.compress(raw))
    session.add(row)
    await session.commit()
    expected = ct.ERR_MODEL_OLD_FORMAT.format(
        path=ct.MODEL_SOURCE.format(version=row.id), found=2, expected=3
    )
    with pytest.raises(ModelFormatError) as error:
        await promote(session, rules=rules, version=row.id)  # type: ignore[arg-type]
    assert error.value.message == expected
    await session.rollback()
    assert (await session.exec(select(RoutingModel.status))).all() == [RoutingModelStatus.REFUSED]
    # Put in use anyway (a library upgrade under a promoted model): dispatching goes on by the
    # keyword rules, with one warning.
    promote_all = update(RoutingModel).values(status=RoutingModelStatus.PROMOTED, promoted_at=rules.now())
    await session.exec(promote_all)  # type: ignore[call-overload]
    await session.commit()
    with caplog.at_level(logging.WARNING, logger="knowledge_base.classify.retrain"):
        assert (await suggest_units(session, kb=None, content="家里停电了"))[1] == "keywords"
        assert (await suggest_units(session, kb=None, content="家里停电了"))[1] == "keywords"
    assert [r.getMessage().count("格式版本为 2") for r in caplog.records] == [1]


async def test_the_weekly_job_trains_once_per_week_with_two_instances(sessions: SessionFactory, rules: Rules,
                                                                      clock: ManualClock, org: Org) -> None:
    rules = with_router(rules)
    async with sessions() as session:
        await history(
            session, rules=rules, clock=clock, org=org, first_monday=shanghai(2026, 10, 26, 9), weeks=4
        )
    due = shanghai(2026, 11, 23, 2, 30)
    clock.set(due + timedelta(minutes=1))
    a, b = (JobScheduler(sessions=sessions, rules=rules, settings=SchedulerSettings(instance=name))
            for name in ("A", "B"))
    reports = await asyncio.gather(a.run_job(ROUTING_RETRAIN, due_at=due, trigger=RunTrigger.SCHEDULED),
                                   b.run_job(ROUTING_RETRAIN, due_at=due, trigger=RunTrigger.SCHEDULED))
    assert sorted(r.run_id is None for r in reports) == [False, True]  # one claimed it, the other did nothing
    # Run again by hand for the same week: the week's model exists, nothing is trained.
    again = await a.run_job(ROUTING_RETRAIN, due_at=due, trigger=RunTrigger.MANUAL)
    assert again.counts == {"version": None, "promoted": False, "n_train": 0}
    async with sessions() as session:
        rows = await list_models(session)
        assert [(r.id, r.week_key, r.trigger, r.status) for r in rows] == [
            (1, "2026-W48", "weekly", RoutingModelStatus.PROMOTED)]
        assert len((await session.exec(select(JobRun).where(JobRun.job == ROUTING_RETRAIN))).all()) == 2
        assert len(await office_messages(session)) == 1


def test_the_cli_retrains_lists_rolls_back_and_reports_quality(database: Path) -> None:
    from click.testing import CliRunner

    from main import cli

    runner = CliRunner()
    empty = runner.invoke(cli, ["classify", "models", "list"])
    assert empty.exit_code == 0 and "还没有派单模型" in empty.output
    # Four weeks of dispatches before this (real) week, made through the service.
    today = datetime.now(SHANGHAI)
    first_monday = (today - timedelta(days=today.weekday(), weeks=4)).replace(hour=9, minute=0, second=0,
                                                                              microsecond=0)

    async def fill() -> None:
        engine = create_engine(f"sqlite:///{database}")
        try:
            async with session_factory(engine)() as session:
                org = await build_org(session)
                clock = ManualClock(first_monday)
                rules = with_router(load_rules(clock=clock))
                await history(session, rules=rules, clock=clock, org=org, first_monday=first_monday, weeks=4)
        finally:
            await engine.dispose()

    upgrade_database(f"sqlite:///{database}")
    asyncio.run(fill())
    trained = runner.invoke(cli, ["classify", "retrain"])
    assert trained.exit_code == 0, trained.output
    assert trained.output.startswith("派单模型 model:1 已启用：用 72 条派单记录训练，在最近 24 条派单上")
    listed = json.loads(runner.invoke(cli, ["classify", "models", "list", "--json"]).output)
    assert [(m["version"], m["status"], m["n_train"], m["n_holdout"]) for m in listed] == [
        (1, "promoted", 72, 24)
    ]
    assert listed[0]["metrics"]["candidate"]["top3"] == 1.0 and listed[0]["libraries"]["scikit-learn"]
    table = runner.invoke(cli, ["classify", "models", "list"]).output
    assert "在用" in table and "72/24" in table
    quality = json.loads(runner.invoke(cli, ["classify", "quality", "--json"]).output)
    assert quality["overall"]["n"] == 96 and len(quality["by_week"]) == 4
    assert set(quality["by_unit"]) == {"区住建局", "柳林洲街道", "供电分公司"}
    back = runner.invoke(cli, ["classify", "models", "rollback"])
    assert back.exit_code == 0 and "关键词规则" in back.output
    missing = runner.invoke(cli, ["classify", "models", "promote", "7"])
    assert missing.exit_code == 1 and "没有版本为 7 的派单模型" in missing.output


async def test_cold_start_suggests_by_the_nearest_knowledge_base_entries(session: AsyncSession, org: Org,
                                                                         segmenter: Segmenter,
                                                                         tmp_path: Path) -> None:
    """No history, no keyword of any unit in the text: the units of the knowledge-base entries
    nearest by the encoder are suggested (a deterministic bigram encoder stands in for e5)."""
    entries = [
        Entry(id="lift", question="电梯坏了把人困在里面找谁", answer="请联系住建部门。", unit="区住建局"),
        Entry(id="stall", question="路边摊贩占道经营谁来管", answer="请联系所在街道。", unit="柳林洲街道"),
        Entry(id="volt", question="电压不稳把电器烧坏了怎么办", answer="请联系供电企业。", unit="供电分公司"),
        # not a unit here
        Entry(id="tax", question="个人所得税怎么申报", answer="在个税App申报。", unit="税务局"),
    ]
    kb = build_knowledge_base(entries, segmenter=segmenter, encoder=CountingEncoder(),
                              vector_path=tmp_path / "vectors")
    text = "我们楼的电梯坏了，老人被困在里面半小时"
    without = await suggest_units(
        session, kb=build_knowledge_base(entries, segmenter=segmenter), content=text
    )
    assert without == ([], "keywords")  # the keyword rules alone have nothing to say
    found, version = await suggest_units(session, kb=kb, content=text)
    assert version == "keywords" and found[0].name == "区住建局"
    # The unit's own keywords still count beside the encoder's vote.
    found, _ = await suggest_units(session, kb=kb, content="电梯坏了，物业说要等维修，房屋也漏水")
    assert found[0].name == "区住建局"


async def test_the_monthly_bulletin_shows_the_routers_acceptance(sessions: SessionFactory, rules: Rules,
                                                                  clock: ManualClock, org: Org,
                                                                  tmp_path: Path) -> None:
    rules = with_router(rules)
    async with sessions() as session:
        clock.set(shanghai(2026, 10, 12, 10))
        # The keyword rules get the first right (停电 → 供电分公司), the second wrong, nothing for the third.
        await dispatch_one(session, rules=rules, org=org, content="小区停电一整天了", unit_index=2)
        await dispatch_one(session, rules=rules, org=org, content="小区电梯坏了没人修", unit_index=0)
        await dispatch_one(session, rules=rules, org=org, content="巷子里路灯不亮", unit_index=1)
        await session.commit()
    bulletin = await build_bulletin(sessions, calendar=rules.calendar, kind="monthly",
                                    period=parse_period("2026-10"), policy=rules.policy,
                                    scheme=load_scheme("pudong-2024"), rules=load_ranking_rules(),
                                    made_at=shanghai(2026, 11, 2, 9))
    files = write_bulletin(bulletin, tmp_path)
    md = files.markdown.read_text(encoding="utf-8")
    assert "派单建议：本期派单3件，系统首选建议单位被采用（或经退单改派后确认正确）的占33.33%" in md
    assert "| 2026-W42 | 3 | 33.33% |" in md and "| 供电分公司 | 1 | 100.00% | 100.00% |" in md
    sheet = load_workbook(files.xlsx)["派单建议"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][:3] == ("2026-W42", 3, pytest.approx(1 / 3))


async def test_a_failing_router_does_not_stop_a_dispatch(session: AsyncSession, rules: Rules, org: Org,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    async def broken(session: AsyncSession, *, content: str) -> Suggestions:
        raise RuntimeError("encoder engine crashed")

    with caplog.at_level(logging.ERROR, logger="tickets.routing_labels"):
        await dispatch_one(
            session,
            rules=replace(rules, unit_suggester=broken),
            org=org,
            content="楼道防盗门坏了。",
            unit_index=0,
        )
    await session.commit()
    label = (await session.exec(select(RoutingLabel))).one()
    assert (label.unit_id, label.suggested, label.model_version) == (org.unit_ids[0], [], "")
    assert "label recorded without them" in caplog.text
