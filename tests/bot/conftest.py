"""The bot under test: a real aiogram Bot and Dispatcher behind the real webhook route,
talking HTTP to the fake Telegram server; the database fixtures of tests/conftest.py."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage
from aiohttp import web
from sqlmodel import col, select

from bot.feedback import StoredFeedback
from bot.notifier import TelegramNotifier
from bot.runtime import add_webhook_route, make_bot, make_dispatcher
from bot.sender import SendLimits
from bot.usage import UsageBuffer
from knowledge_base import segment
from knowledge_base import service as kb_service
from knowledge_base.files import EntryRecord
from knowledge_base.matcher import Entry, KnowledgeBase
from tests.bot import fake_telegram as tg
from tests.bot.fake_telegram import Call, FakeTelegram
from tests.conftest import Org
from tickets.clock import ManualClock
from tickets.context import Rules
from tickets.db import SessionFactory
from tickets.enums import OutboxChannel, OutboxStatus
from tickets.models import Outbox
from tickets.outbox import DeliveryError

SECRET = "s3cret-webhook-token"
LONG_ANSWER = "\n".join(
    f"第{i}条：请携带本人有效身份证件到就近的服务窗口办理，工作人员会当场告知所需材料。"
    for i in range(1, 121)
)

KB_ENTRIES = [
    Entry(id="sbk-lost", question="社保卡丢了怎么补办",
          answer="社保卡遗失后，请先挂失，再携带本人身份证到社保卡服务网点申请补办。具体以当地规定为准。",
          alternatives=("社保卡遗失怎么办", "社会保障卡丢失补办流程", "补办社保卡需要什么"),
          keywords=("社保卡",), unit="区住建局", category="人力资源和社会保障"),
    Entry(id="gjj-draw", question="住房公积金怎么提取",
          answer="购房、租房等情形可以申请提取住房公积金，请通过公积金中心线上渠道或窗口办理。",
          alternatives=("公积金提取流程", "怎样取出公积金", "租房可以提取公积金吗"),
          keywords=("公积金",), category="住房与城乡建设"),
    Entry(id="power-out", question="家里停电了怎么报修",
          answer="遇到停电，请先确认是否为小区计划停电；如需抢修，请联系供电企业的抢修电话。",
          alternatives=("小区停电找谁", "突然停电怎么办", "停电报修"),
          keywords=("停电",), unit="供电分公司", category="供电供水燃气供暖"),
    Entry(id="long-guide", question="居住证办理全流程指南",
          answer=LONG_ANSWER, alternatives=("居住证办理指南全文", "居住证怎么办理全流程"),
          keywords=("居住证",), category="公共服务"),
    Entry(id="parking-1", question="小区停车位收费标准是多少",
          answer="小区停车收费由物业按备案标准执行，具体以当地规定为准。",
          alternatives=("小区停车费多少钱",), keywords=("停车费",), category="停车管理"),
    Entry(id="parking-2", question="小区停车位被占用怎么办",
          answer="车位被占可以先联系物业协调处理。",
          alternatives=("停车位被别人占了",), keywords=("车位",), category="停车管理"),
]


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase(KB_ENTRIES, segmenter=segment.load())


@pytest.fixture
async def storage() -> AsyncIterator[BaseStorage]:
    store = MemoryStorage()
    yield store
    await store.close()


async def make_storage(kind: str, redis_url: str | None) -> BaseStorage:
    if kind == "memory":
        return MemoryStorage()
    from aiogram.fsm.storage.redis import RedisStorage

    assert redis_url is not None
    # A key prefix per test: parallel runs and leftovers never mix states.
    return RedisStorage.from_url(
        redis_url, key_builder=DefaultKeyBuilder(prefix=f"test-{uuid.uuid4().hex[:8]}")
    )


@dataclass
class Harness:
    fake: FakeTelegram
    http: aiohttp.ClientSession
    url: str
    bot: Bot
    dp: Dispatcher
    sessions: SessionFactory
    rules: Rules
    clock: ManualClock
    org: Org
    # Answers counted towards kb_hit; not started: a test flushes it when it wants the rows.
    usage: UsageBuffer

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> aiohttp.ClientResponse:
        return await self.fake.push(self.http, self.url, update, secret)

    async def _run(self, update: dict[str, Any]) -> list[Call]:
        before = len(self.fake.calls)
        response = await self.post(update)
        assert response.status == 200, response.status
        assert not self.fake.rejected, [(c.method, c.params) for c in self.fake.rejected]
        return self.fake.calls[before:]

    async def say(self, user_id: int, text: str | None = None, **extra: Any) -> list[Call]:
        return await self._run(tg.message(self.fake.next_update_id(), user_id, text, **extra))

    async def press(self, user_id: int, data: str, *, message_id: int = 1) -> list[Call]:
        return await self._run(tg.callback(self.fake.next_update_id(), user_id, data, message_id=message_id))

    async def deliver_outbox(self) -> list[Call]:
        """What the integrations outbox worker does, reduced to the Telegram channel."""
        before = len(self.fake.calls)
        notifier = TelegramNotifier(self.bot, sessions=self.sessions, kb=self.dp["kb"])
        async with self.sessions() as session:
            rows = (await session.exec(select(Outbox).where(Outbox.channel == OutboxChannel.TELEGRAM,
                                                            Outbox.status == OutboxStatus.PENDING)
                                       .order_by(col(Outbox.id)))).all()
            for row in rows:
                try:
                    await notifier.send(row)
                    row.status = OutboxStatus.SENT
                except DeliveryError as error:
                    row.last_error = str(error)
                    row.status = OutboxStatus.DEAD if error.permanent else OutboxStatus.PENDING
                session.add(row)
            await session.commit()
        return self.fake.calls[before:]


def texts_of(calls: list[Call]) -> list[str]:
    return [c.text for c in calls if c.method in ("sendMessage", "editMessageText")]


@pytest.fixture
async def fake_server(aiohttp_server: Any) -> AsyncIterator[tuple[FakeTelegram, str]]:
    fake = FakeTelegram()
    server = await aiohttp_server(fake.app())
    yield fake, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def harness(fake_server: tuple[FakeTelegram, str], aiohttp_server: Any, sessions: SessionFactory,
                  rules: Rules, clock: ManualClock, org: Org, knowledge: KnowledgeBase,
                  storage: BaseStorage) -> AsyncIterator[Harness]:
    fake, base = fake_server
    bot = make_bot(tg.TOKEN, api_base=base, limits=SendLimits(global_rate=None, private_rate=1000,
                                                              private_burst=1000))
    async with sessions() as session:
        # The test entries are in the table too, so feedback lands on real kb_entry rows.
        await kb_service.upsert_entries(session, records=[EntryRecord(
            id=e.id, question=e.question, answer=e.answer, alternatives=e.alternatives, keywords=e.keywords,
            unit=e.unit, category=e.category) for e in KB_ENTRIES], actor="test", clock=clock)
        await session.commit()
    dp = make_dispatcher(kb=lambda: knowledge, sessions=sessions, rules=rules, storage=storage,
                         kb_feedback=StoredFeedback(clock))
    usage = dp["kb_usage"] = UsageBuffer(sessions, clock, interval=3600)
    app = web.Application()
    add_webhook_route(app, bot=bot, dispatcher=dp, secret=SECRET)
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as http:
        yield Harness(fake=fake, http=http, url=str(server.make_url("/telegram/webhook")), bot=bot, dp=dp,
                      sessions=sessions, rules=rules, clock=clock, org=org, usage=usage)
    await bot.session.close()
