"""The served knowledge base follows the table without a restart, rebuilding only on change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import files, service
from knowledge_base.conversation import Band, answer
from knowledge_base.live import LiveKnowledgeBase
from knowledge_base.matcher import Entry, KnowledgeBase
from knowledge_base.segment import Segmenter
from tickets.clock import ManualClock
from tickets.db import SessionFactory

SHIPPED = [Entry(id="shipped", question="社保卡丢了怎么补办", answer="先挂失再补办。")]
LOST = files.EntryRecord(id="lost", question="社保卡丢了怎么补办", answer="带身份证到经办网点补办。")
NOISE = files.EntryRecord(id="noise", question="晚上工地施工噪音太大", answer="可向城管部门反映。")


async def test_rebuilt_only_when_the_entries_changed(
    sessions: SessionFactory, session: AsyncSession, clock: ManualClock, segmenter: Segmenter
) -> None:
    built: list[int] = []

    def build(entries: Sequence[Entry]) -> KnowledgeBase:
        built.append(len(entries))
        return KnowledgeBase(entries, segmenter=segmenter)

    live = LiveKnowledgeBase(sessions, build, lambda: list(SHIPPED))
    assert await live.refresh() is True  # empty table: the shipped entries
    assert [e.id for e in live.current.entries] == ["shipped"]
    assert await live.refresh() is False  # nothing changed: no rebuild

    await service.upsert_entries(session, records=[LOST, NOISE], actor="cli", clock=clock)
    await session.commit()
    assert await live.refresh() is True
    assert answer(live.current, "社保卡丢了怎么补办").entries[0].entry.answer == "带身份证到经办网点补办。"

    # The same time and the same number of entries: the change log still tells.
    await service.upsert_entries(
        session, records=[replace(LOST, answer="线上即可补办。")], actor="cli", clock=clock
    )
    await session.commit()
    assert await live.refresh() is True
    result = answer(live.current, "社保卡丢了怎么补办")
    assert result.band is Band.ANSWER and result.entries[0].entry.answer == "线上即可补办。"

    # Retired: no longer answered.
    await service.upsert_entries(session, records=[replace(NOISE, active=False)], actor="cli", clock=clock)
    await session.commit()
    assert await live.refresh() is True
    assert [e.id for e in live.current.entries] == ["lost"]
    assert built == [1, 2, 2, 1]
    assert await live.refresh() is False
