"""Knowledge-base storage on SQLite and PostgreSQL: upsert, change log, feedback, files."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import files, service
from knowledge_base.conversation import Band, answer
from knowledge_base.files import EntryRecord
from knowledge_base.models import ChangeAction, KnowledgeChange, KnowledgeFeedback
from knowledge_base.segment import Segmenter
from tickets.clock import ManualClock, shanghai
from tickets.errors import NotFound, ValidationFailed

LOST = EntryRecord(
    id="sbk_lost",
    question="社保卡丢了怎么补办",
    answer="先挂失再补办。",
    alternatives=("社保卡掉了",),
    keywords=("社保卡挂失",),
    unit="人社局",
    category="社保",
)
OUTAGE = EntryRecord(id="power", question="停电了怎么办", answer="联系供电企业。", unit="供电公司")


async def test_upsert_creates_changes_and_logs_per_unit_and_month(
    session: AsyncSession, clock: ManualClock
) -> None:
    first = await service.upsert_entries(session, records=[LOST, OUTAGE], actor="王主任", clock=clock)
    await session.commit()
    assert first == service.UpsertSummary(created=2, updated=0, unchanged=0)

    clock.advance(timedelta(days=1))
    changed = replace(LOST, answer="先挂失，再到网点补办。")
    second = await service.upsert_entries(session, records=[changed, OUTAGE], actor="李科员", clock=clock)
    await session.commit()
    assert second == service.UpsertSummary(created=0, updated=1, unchanged=1)

    # 2026-12-01 00:30 in Shanghai is still 30 November in UTC: the month is Shanghai's.
    clock.set(shanghai(2026, 12, 1, 0, 30))
    retired = replace(OUTAGE, active=False)
    await service.upsert_entries(session, records=[retired], actor="李科员", clock=clock)
    await session.commit()

    assert await service.count_updates(session) == [
        service.UnitMonthCount(unit="人社局", month="2026-11", changes=2),
        service.UnitMonthCount(unit="供电公司", month="2026-11", changes=1),
        service.UnitMonthCount(unit="供电公司", month="2026-12", changes=1),
    ]
    assert await service.count_updates(session, month="2026-12") == [
        service.UnitMonthCount(unit="供电公司", month="2026-12", changes=1)
    ]
    log = (await session.exec(select(KnowledgeChange).order_by(KnowledgeChange.id))).all()
    assert [(c.entry_key, c.action, c.changed_by) for c in log] == [
        ("sbk_lost", ChangeAction.CREATED, "王主任"),
        ("power", ChangeAction.CREATED, "王主任"),
        ("sbk_lost", ChangeAction.UPDATED, "李科员"),
        ("power", ChangeAction.DEACTIVATED, "李科员"),
    ]
    entry = await service.get_entry(session, key="sbk_lost")
    assert (entry.answer, entry.updated_by) == ("先挂失，再到网点补办。", "李科员")
    assert entry.updated_at == shanghai(2026, 11, 24, 10, 0)
    assert entry.alternatives == ["社保卡掉了"]
    # Only active entries are served.
    assert [e.id for e in await service.load_active_entries(session)] == ["sbk_lost"]


async def test_seeding_the_shipped_kb_is_not_counted_as_a_unit_update(
    session: AsyncSession, clock: ManualClock, segmenter: Segmenter
) -> None:
    summary = await service.seed_default(session, clock=clock)
    await session.commit()
    assert summary.created == len(files.default_records())
    assert await service.count_updates(session) == []
    again = await service.seed_default(session, clock=clock)
    assert (again.created, again.unchanged) == (0, summary.created)

    kb = await service.load_knowledge_base(session, segmenter=segmenter)
    assert len(kb) == summary.created
    result = answer(kb, "社保卡丢了咋办")
    assert result.band is Band.ANSWER
    assert result.entries[0].entry.id == "sbk_lost"


async def test_feedback_is_stored_masked_and_ranked_by_failures(
    session: AsyncSession, clock: ManualClock
) -> None:
    await service.upsert_entries(session, records=[LOST, OUTAGE], actor="王主任", clock=clock)
    await service.record_feedback(
        session,
        key="power",
        solved=False,
        clock=clock,
        query="停电三天了，我电话13812345678",
        channel="telegram",
    )
    await service.record_feedback(session, key="power", solved=False, clock=clock)
    await service.record_feedback(session, key="sbk_lost", solved=True, clock=clock)
    await service.record_feedback(session, key="power", solved=True, clock=clock)
    await session.commit()
    assert await service.feedback_counts(session) == [
        service.FeedbackCount(key="power", question="停电了怎么办", solved=1, not_solved=2),
        service.FeedbackCount(key="sbk_lost", question="社保卡丢了怎么补办", solved=1, not_solved=0),
    ]
    stored = (await session.exec(select(KnowledgeFeedback).order_by(KnowledgeFeedback.id))).first()
    assert stored is not None
    assert stored.query == "停电三天了，我电话138****5678"
    assert stored.created_at == clock.now()
    with pytest.raises(NotFound):
        await service.record_feedback(session, key="nope", solved=True, clock=clock)


async def test_import_and_export_files(session: AsyncSession, clock: ManualClock, tmp_path: Path) -> None:
    source = tmp_path / "office.xlsx"
    files.write_entries(source, [LOST, OUTAGE])
    imported = await service.import_file(session, path=source, actor="导入", clock=clock)
    assert imported.summary == service.UpsertSummary(created=2)
    assert imported.written and imported.problems == []
    await session.commit()
    target = tmp_path / "out.yaml"
    assert await service.export_file(session, path=target) == 2
    assert files.read_entries(target) == [OUTAGE, LOST]  # key order
    # Importing the export again changes nothing and logs nothing.
    again = await service.import_file(session, path=target, actor="导入", clock=clock)
    assert again.summary == service.UpsertSummary(unchanged=2)
    assert len((await session.exec(select(KnowledgeChange))).all()) == 2


async def test_too_long_field_is_refused_before_writing(session: AsyncSession, clock: ManualClock) -> None:
    bad = EntryRecord(id="x", question="问" * 501, answer="答")
    with pytest.raises(ValidationFailed, match="question"):
        await service.upsert_entries(session, records=[LOST, bad], actor="王主任", clock=clock)
    assert await service.list_entries(session, include_inactive=True) == []


async def test_the_same_key_twice_in_one_upsert_is_refused(session: AsyncSession, clock: ManualClock) -> None:
    with pytest.raises(ValidationFailed, match="sbk_lost"):
        await service.upsert_entries(
            session, records=[LOST, replace(LOST, answer="另一个")], actor="王主任", clock=clock
        )
    assert await service.list_entries(session, include_inactive=True) == []
