"""The bot's receipt of a filed request carries the signed link to the tracking page (the
same link SMS receipts carry, tickets.messaging.with_link) when the service has a public URL."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import select

from bot import texts
from tests.bot.conftest import Harness, texts_of
from tickets.context import Rules
from tickets.models import Ticket
from tickets.tracking import TrackingLinks

CITIZEN = 5001
LINKS = TrackingLinks(secret="bot-test-secret", base_url="https://12345.example.gov.cn")


@pytest.fixture
def rules(rules: Rules) -> Rules:
    return replace(rules, links=LINKS)


async def test_bot_receipt_links_to_the_tracking_page(harness: Harness) -> None:
    h = harness
    await h.say(CITIZEN, "我要反映")
    await h.say(CITIZEN, "幸福路的路灯坏了一周了，晚上很黑")
    await h.say(CITIZEN, "幸福路12号")
    summary = await h.say(CITIZEN, "13812345678")
    done = await h.press(CITIZEN, summary[0].button_data("✅ 确认提交"))
    async with h.sessions() as session:
        ticket = (await session.exec(select(Ticket))).one()
    (text,) = texts_of(done)
    receipt, link = text.split("\n查看进度：")
    assert receipt == texts.FILE_DONE.format(
        number=ticket.number, due="2026-11-30 10:00 前（预计，派单后正式起算）"
    )
    assert link.startswith(f"https://12345.example.gov.cn/h5/t/{ticket.number}.")
    assert LINKS.read(link.rsplit("/", 1)[1], now=h.rules.now()) == ticket.number
    assert "13812345678" not in link and "5678" not in link.split(".", 1)[1]
