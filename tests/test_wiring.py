"""The whole service as `main.py serve` builds it: the app factory with the Telegram bot
wired in by webhook, talking to a fake Bot API server on 127.0.0.1; the outbox worker
delivers a ticket push through the bot."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
from pytest_aiohttp import AiohttpClient

from bot.runtime import telegram_extension
from integrations.app import init_app
from knowledge_base import service as kb_service
from tests.bot import fake_telegram as tg
from tickets import context, intake
from tickets.clock import ManualClock
from tickets.context import Actor
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.enums import Channel, RequestType
from tickets.schemas import TicketCreate
from wiring import Settings

SECRET = "wiring-secret-token"


async def test_serve_wiring_with_telegram_webhook(aiohttp_client: AiohttpClient, aiohttp_server: Any,
                                                  tmp_path: Path, clock: ManualClock) -> None:
    fake = tg.FakeTelegram()
    telegram = await aiohttp_server(fake.app())
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    await asyncio.to_thread(upgrade_database, url)
    # The shipped entries in the table (as `kb import` puts them), so that answers can be counted.
    engine = create_engine(url)
    async with session_factory(engine)() as session, session.begin():
        await kb_service.seed_default(session, clock=clock)
    await engine.dispose()
    settings = Settings(
        database_url=url, telegram_token=tg.TOKEN, telegram_api_base=str(telegram.make_url("")).rstrip("/"),
        telegram_webhook_url="https://hotline.example.gov.cn/telegram/webhook",
        telegram_webhook_secret=SECRET, scheduler_enabled=False, outbox_poll_seconds=0.05,
    )
    assert telegram_extension(settings.model_copy(update={"telegram_token": None})) is None
    extension = telegram_extension(settings)
    assert extension is not None
    client = await aiohttp_client(init_app(settings, clock=clock, extensions=[extension]))

    webhook = [c for c in fake.calls if c.method == "setWebhook"]
    assert len(webhook) == 1 and webhook[0].params["secret_token"] == SECRET
    assert webhook[0].params["url"] == "https://hotline.example.gov.cn/telegram/webhook"

    # A citizen asks through the webhook: the shipped knowledge base answers.
    async with aiohttp.ClientSession() as http:
        response = await fake.push(http, str(client.make_url("/telegram/webhook")),
                                   tg.message(fake.next_update_id(), 555001, "社保卡丢了怎么补办"), SECRET)
        assert response.status == 200
        refused = await fake.push(http, str(client.make_url("/telegram/webhook")),
                                  tg.message(fake.next_update_id(), 555001, "你好"), "wrong")
        assert refused.status in (401, 403)
    answer = fake.last(555001)
    assert "挂失" in answer.text and any("解决了" in button for row in answer.buttons() for button in row)

    # A ticket filed elsewhere for the same citizen: the outbox worker pushes it through the bot.
    engine = create_engine(url)
    async with session_factory(engine)() as session, session.begin():
        ticket = await intake.create_ticket(
            session,
            rules=context.Rules.from_settings(settings, clock),
            actor=Actor.system("test"),
            data=TicketCreate(
                channel=Channel.WEB,
                request_type=RequestType.HELP,
                content="路灯坏了好几天，晚上很黑。",
                citizen_telegram_id=555001,
            ),
        )
    await engine.dispose()
    for _ in range(100):
        if any(ticket.number in text for text in fake.texts(555001)):
            break
        await asyncio.sleep(0.05)
    assert any(f"工单号 {ticket.number}" in text for text in fake.texts(555001))

    # Stopping the service writes the answers the bot gave since the last flush (bot/usage.py).
    await client.close()
    engine = create_engine(url)
    async with session_factory(engine)() as session:
        hot = await kb_service.hot_questions(session, clock=clock)
    await engine.dispose()
    assert [(h.question, h.uses) for h in hot] == [("社保卡丢了怎么补办", 1)]
