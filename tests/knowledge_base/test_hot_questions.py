"""The week's hot questions (chips on an empty H5 chat): entries by answers given plus
feedback received in the last seven days, inactive entries and older use left out."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import service
from tickets.clock import ManualClock, shanghai


async def test_hot_questions_count_the_last_week(session: AsyncSession) -> None:
    clock = ManualClock(shanghai(2026, 11, 20, 9))
    await service.seed_default(session, clock=clock)
    # Ten days ago: does not count any more.
    for _ in range(9):
        await service.record_hit(session, key="sb_query", clock=clock, channel="h5")
    clock.advance(timedelta(days=10))
    for _ in range(3):
        await service.record_hit(session, key="sbk_lost", clock=clock, channel="h5")
    await service.record_feedback(session, key="sbk_lost", solved=False, clock=clock, channel="telegram")
    for _ in range(2):
        await service.record_hit(session, key="flex_ss", clock=clock, channel="h5")
    await service.record_feedback(session, key="ebsbk", solved=True, clock=clock, channel="telegram")
    await service.record_feedback(session, key="sbk_apply", solved=True, clock=clock, channel="h5")
    await service.record_hit(session, key="no_such_entry", clock=clock)
    await session.commit()

    hot = await service.hot_questions(session, clock=clock, limit=3)
    assert [(h.key, h.question, h.uses) for h in hot] == [
        ("sbk_lost", "社保卡丢了怎么补办", 4),
        ("flex_ss", "灵活就业人员怎么交社保", 2),
        ("ebsbk", "怎么申领电子社保卡", 1),
    ]
    entry = await service.get_entry(session, key="sbk_lost")
    entry.active = False
    session.add(entry)
    await session.commit()
    assert [h.key for h in await service.hot_questions(session, clock=clock, limit=3)] == \
        ["flex_ss", "ebsbk", "sbk_apply"]
