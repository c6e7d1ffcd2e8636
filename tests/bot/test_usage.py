"""The bot's knowledge-base usage (bot/usage.py): answers buffered and written to kb_hit in
one transaction per flush, at shutdown too; a full buffer drops and counts without holding
up the handler; a failing database is logged and the bot goes on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bot import texts
from bot.usage import UsageBuffer
from knowledge_base import service as kb_service
from knowledge_base.models import KnowledgeEntry, KnowledgeHit
from tests.bot import fake_telegram as tg
from tests.bot.conftest import Harness, texts_of
from tests.bot.fake_telegram import FakeTelegram
from tickets.db import create_engine, session_factory

CITIZEN = 5001
SBK = "社保卡丢了怎么补办"
GJJ = "住房公积金怎么提取"
ANSWER_OPENINGS = ("【社保卡丢了怎么补办】\n社保卡遗失后", "【住房公积金怎么提取】\n购房、租房")


async def hot(h: Harness) -> list[tuple[str, int]]:
    async with h.sessions() as session:
        return [(q.key, q.uses) for q in await kb_service.hot_questions(session, clock=h.clock)]


async def hit_rows(h: Harness) -> list[tuple[str, str]]:
    async with h.sessions() as session:
        rows = await session.exec(select(KnowledgeEntry.key, KnowledgeHit.channel).join(KnowledgeEntry)
                                  .order_by(col(KnowledgeHit.id)))
        return [(key, channel) for key, channel in rows.all()]


async def until(done: Callable[[], bool]) -> None:
    for _ in range(500):
        if done():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within 10 s")


@contextmanager
def counting_commits(engine: AsyncEngine) -> Iterator[list[int]]:
    """How many transactions the engine commits meanwhile (the ORM's and bare connections')."""
    commits = [0]

    def on_commit(_connection: Any) -> None:
        commits[0] += 1

    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        yield commits
    finally:
        event.remove(engine.sync_engine, "commit", on_commit)


async def test_answers_count_in_the_weeks_hot_questions_after_a_flush(harness: Harness) -> None:
    h = harness
    for user, question in ((CITIZEN, SBK), (CITIZEN + 1, SBK), (CITIZEN + 2, GJJ)):
        assert texts_of(await h.say(user, question))[0].startswith(ANSWER_OPENINGS)
    assert texts_of(await h.say(CITIZEN, "楼下早餐店油烟很大"))  # no answer: nothing to count
    assert await hot(h) == []  # not written yet: the next flush does it
    assert h.usage.waiting == 3
    assert await h.usage.flush() == 3
    assert await hot(h) == [("sbk-lost", 2), ("gjj-draw", 1)]
    assert await hit_rows(h) == [("sbk-lost", "telegram"), ("sbk-lost", "telegram"), ("gjj-draw", "telegram")]
    assert h.usage.waiting == 0 and await h.usage.flush() == 0


async def test_a_picked_suggestion_counts_and_the_choices_offered_do_not(harness: Harness) -> None:
    h = harness
    calls = await h.say(CITIZEN, "小区停车")
    assert texts_of(calls) == [texts.KB_SUGGEST] and h.usage.waiting == 0  # 猜你想问 only offers
    await h.press(CITIZEN, calls[0].button_data("小区停车位被占用怎么办"))
    await h.usage.flush()
    assert await hit_rows(h) == [("parking-2", "telegram")]


async def test_several_answers_are_written_in_one_transaction(harness: Harness, engine: AsyncEngine) -> None:
    h = harness
    questions = [SBK, GJJ, "家里停电了怎么报修"] * 4
    for i, question in enumerate(questions):
        await h.say(CITIZEN + i, question)
    with counting_commits(engine) as commits:
        assert await h.usage.flush() == len(questions)
    assert commits[0] == 1
    assert (h.usage.stats.flushes, h.usage.stats.written) == (1, 12)
    assert sorted(await hot(h)) == [("gjj-draw", 4), ("power-out", 4), ("sbk-lost", 4)]


async def test_an_entry_gone_since_the_answer_is_skipped(harness: Harness) -> None:
    h = harness
    await h.say(CITIZEN, SBK)
    h.usage.add("no-such-entry")  # removed from the table after the matcher loaded it
    assert await h.usage.flush() == 1
    assert await hit_rows(h) == [("sbk-lost", "telegram")]


async def test_full_buffer_drops_and_counts_without_holding_up_the_bot(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    h = harness
    # The writer stuck on the database (SQLite's writer gate held by someone else) for the whole test.
    gate = asyncio.Semaphore(1)
    usage = h.dp["kb_usage"] = UsageBuffer(h.sessions, h.clock, interval=3600, capacity=2, write_lock=gate)
    await gate.acquire()
    await h.say(CITIZEN, SBK)
    stuck = asyncio.create_task(usage.flush())
    await asyncio.sleep(0.05)
    assert not stuck.done() and usage.waiting == 0
    # Five answers while the flush waits: two fit, three are dropped; every citizen is answered at once.
    async with asyncio.timeout(10):
        for i in range(5):
            assert texts_of(await h.say(CITIZEN + i, GJJ))[0].startswith("【住房公积金怎么提取】\n购房、租房")
    assert usage.waiting == 2 and usage.stats.dropped == 3
    caplog.set_level(logging.WARNING, logger="bot.usage")
    gate.release()
    assert await stuck == 1
    assert await usage.flush() == 2
    # Logged once for the interval, not once per answer.
    assert [r.getMessage() for r in caplog.records if "not counted" in r.getMessage()] == [
        "3 knowledge-base answers not counted: usage buffer full (2 waiting)"]
    assert sorted(await hot(h)) == [("gjj-draw", 2), ("sbk-lost", 1)]


async def test_database_error_during_flush_is_logged_and_the_bot_goes_on(
        harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    h = harness
    # A database that cannot be opened (its directory does not exist): every flush fails.
    broken = create_engine(f"sqlite:///{tmp_path / 'missing' / 'hotline.db'}")
    usage = h.dp["kb_usage"] = UsageBuffer(session_factory(broken), h.clock, interval=0.02)
    usage.start()
    try:
        await h.say(CITIZEN, SBK)
        await until(lambda: usage.stats.failures >= 2)
        assert "writing 1 knowledge-base usage rows failed; 1 kept for the next flush" in caplog.text
        # The writer is still running and the bot still answers.
        assert usage._task is not None and not usage._task.done()
        assert texts_of(await h.say(CITIZEN + 1, GJJ))[0].startswith("【住房公积金怎么提取】\n购房、租房")
        usage.sessions = h.sessions  # the database is back: the kept answers are written
        await until(lambda: usage.stats.written >= 2)
    finally:
        await usage.stop()
        await broken.dispose()
    assert usage.stats.dropped == 0
    assert await hot(h) == [("gjj-draw", 1), ("sbk-lost", 1)]


async def test_a_failed_last_flush_is_logged_at_shutdown(
        harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = create_engine(f"sqlite:///{tmp_path / 'missing' / 'hotline.db'}")
    usage = UsageBuffer(session_factory(broken), harness.clock, interval=3600)
    usage.add("sbk-lost")
    await usage.stop()
    await broken.dispose()
    assert "1 knowledge-base answers not counted at shutdown" in caplog.text
    assert (usage.waiting, usage.stats.dropped, usage.stats.failures) == (0, 1, 1)


async def test_runtime_flushes_at_shutdown(fake_server: tuple[FakeTelegram, str], harness: Harness,
                                           monkeypatch: pytest.MonkeyPatch, knowledge: Any) -> None:
    from bot.runtime import TelegramRuntime
    from wiring import Settings

    fake, base = fake_server
    fake.enable_polling()
    monkeypatch.setenv("HOTLINE_TELEGRAM_USAGE_FLUSH_SECONDS", "3600")  # only the stop writes
    runtime = TelegramRuntime(Settings(telegram_token=tg.TOKEN, telegram_api_base=base), kb=lambda: knowledge)
    await runtime.start(sessions=harness.sessions, rules=harness.rules)
    assert runtime.usage is not None and runtime.usage.interval == 3600
    try:
        assert fake.updates is not None
        fake.updates.put_nowait(tg.message(fake.next_update_id(), CITIZEN, SBK))
        await until(lambda: bool(fake.sent(CITIZEN)))
        assert fake.sent(CITIZEN)[0].text.startswith("【社保卡丢了怎么补办】\n社保卡遗失后")
        assert runtime.usage.waiting == 1 and await hot(harness) == []
    finally:
        await runtime.stop()
    assert await hot(harness) == [("sbk-lost", 1)]
