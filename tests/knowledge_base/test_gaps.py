"""Weekly gap mining on a fixture week: clusters, nearest entries and units, one-step entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import files, gaps, service
from knowledge_base.config import load_config
from knowledge_base.encoder import E5Encoder
from knowledge_base.matcher import KnowledgeBase, build_knowledge_base
from knowledge_base.segment import Segmenter
from main import cli
from tickets.clock import ManualClock, shanghai
from tickets.errors import NotFound, ValidationFailed

PARKING = ["小区门口的共享单车乱停谁来管", "共享单车把小区门口堵住了找谁", "小区门口共享单车乱停没人管"]
DOGS = ["楼下有人遛狗不牵绳谁管", "遛狗不拴绳归哪个部门管"]


@pytest.fixture(scope="module")
def hybrid_kb(segmenter: Segmenter, tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return build_knowledge_base(
        files.active_entries(files.default_records()),
        config=load_config(),
        segmenter=segmenter,
        encoder=E5Encoder(),
        vector_path=tmp_path_factory.getbasetemp() / "kb_vectors.npz",
    )


async def _fixture_week(session: AsyncSession) -> None:
    await service.seed_default(session, clock=ManualClock(shanghai(2026, 11, 1)))
    # ISO week 2026-W48 runs from Monday 23 to Sunday 29 November (Shanghai).
    for day, text in enumerate([*PARKING, *DOGS], start=23):
        await service.record_miss(
            session, query=text, clock=ManualClock(shanghai(2026, 11, day, 10)), channel="telegram"
        )
    await service.record_feedback(
        session,
        key="sbk_lost",
        solved=False,
        query="社保卡补办要多久才能拿到",
        clock=ManualClock(shanghai(2026, 11, 28, 9)),
    )
    # Outside the week: Sunday 22 November 23:30 and Monday 30 November 00:10, Shanghai time.
    await service.record_miss(
        session, query="上周的问题：共享单车乱停", clock=ManualClock(shanghai(2026, 11, 22, 23, 30))
    )
    await service.record_miss(
        session, query="下周的问题：共享单车乱停", clock=ManualClock(shanghai(2026, 11, 30, 0, 10))
    )
    await session.flush()


async def test_week_is_clustered_with_nearest_entries_and_units(
    session: AsyncSession, hybrid_kb: KnowledgeBase
) -> None:
    await _fixture_week(session)
    found = await gaps.weekly_gaps(session, kb=hybrid_kb, week="2026-W48")
    assert [(g.size, g.not_solved) for g in found] == [(3, 0), (2, 0), (1, 1)]
    assert found[0].examples == PARKING
    assert found[1].examples == DOGS
    assert found[2].examples == ["社保卡补办要多久才能拿到"]
    assert found[2].nearest[0].id == "sbk_lost"
    assert found[2].units[0] == "人力资源和社会保障局"
    assert all(1 <= len(g.nearest) <= 3 for g in found)
    assert [g.size for g in await gaps.weekly_gaps(session, kb=hybrid_kb, week="2026-W48", min_size=2)] == [
        3,
        2,
    ]
    again = await gaps.weekly_gaps(session, kb=hybrid_kb, week="2026-W48")
    assert [g.id for g in again] == [g.id for g in found]  # stable ids for the one-step entry


async def test_cluster_becomes_an_entry_in_one_step(session: AsyncSession, hybrid_kb: KnowledgeBase) -> None:
    await _fixture_week(session)
    found = await gaps.weekly_gaps(session, kb=hybrid_kb, week="2026-W48")
    gap = gaps.find_cluster(found, found[0].id)
    record = await gaps.entry_from_cluster(
        session, gap=gap, answer="可向所在街道城管部门反映。", unit="城市管理局"
    )
    assert (record.question, record.alternatives, record.unit) == (
        PARKING[0],
        tuple(PARKING[1:]),
        "城市管理局",
    )
    await service.upsert_entries(
        session, records=[record], actor="王主任", clock=ManualClock(shanghai(2026, 12, 1))
    )
    assert (await service.get_entry(session, key=record.id)).alternatives == PARKING[1:]
    with pytest.raises(ValidationFailed):
        await gaps.entry_from_cluster(session, gap=gap, answer="再来一次")
    with pytest.raises(ValidationFailed):
        await gaps.entry_from_cluster(session, gap=gap, answer="  ", key="other")
    with pytest.raises(NotFound):
        gaps.find_cluster(found, "nope")


@pytest.mark.parametrize("week", ["2026-48", "W48", "2026-W54", ""])
def test_bad_weeks_are_refused_politely(week: str) -> None:
    with pytest.raises(ValidationFailed, match="周"):
        gaps.week_bounds(week)


def test_lexical_clusters_without_the_encoder(segmenter: Segmenter) -> None:
    kb = KnowledgeBase(
        files.active_entries(files.default_records()), config=load_config(), segmenter=segmenter
    )
    found = gaps.cluster([(q, False) for q in [*PARKING, *DOGS]], kb)
    assert sorted(g.size for g in found)[-1] >= 2
    assert sum(g.size for g in found) == 5


def test_cli_lists_the_week(database: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["kb", "gaps", "--week", "2026-W48"])
    assert result.exit_code == 0, result.output
    assert "这一周没有未解决的问题。" in result.stdout
    bad = runner.invoke(cli, ["kb", "gaps", "--week", "48"])
    assert bad.exit_code == 1 and "2026-W48" in bad.output
