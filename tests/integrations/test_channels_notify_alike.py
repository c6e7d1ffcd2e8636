"""Every channel's new ticket tells the office alike: the same 新工单 card (kind, recipient,
text built from the ticket) whether it came in by the REST API, Open311, telephony or the
upstream platform. The bot's own filing is checked the same way in tests/bot/test_filing.py."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tests.integrations.test_assist import CALL
from tests.integrations.test_open311 import FORM, post_form
from tests.integrations.test_upstream import deliver, fixture
from tickets.clock import ManualClock
from tickets.enums import Channel, OutboxChannel
from tickets.messaging import MessageKind, new_ticket_text
from tickets.models import Outbox, Ticket

OFFICE_CHAT = "9001"  # the org's office member on Telegram (tests/conftest.py)


async def test_api_open311_telephony_and_upstream_tickets_each_give_the_office_the_same_card(
        api: Api, keys: Keys, org: Org, clock: ManualClock, session: AsyncSession) -> None:
    status, _ = await api.post("/api/v1/tickets", key=keys.creator, body={
        "request_type": "complaint", "content": "小区门口路灯坏了三天", "place": "幸福路1号",
        "contact_phone": "13812345678"})
    assert status == 201
    status, _ = await post_form(api.client, {**FORM, "api_key": keys.creator})
    assert status == 201
    status, filed = await api.post("/hooks/telephony/calls", key=keys.telephony,
                                   body={**CALL, "ticket": {"request_type": "help"}})
    assert status in (200, 201) and filed["ticket_number"], filed
    status, ack = await deliver(api, clock, fixture("dispatch"))
    assert status == 200, ack

    tickets = (await session.exec(select(Ticket).order_by(col(Ticket.id)))).all()
    assert [t.channel for t in tickets] == [Channel.WEB, Channel.WEB, Channel.TELEPHONY, Channel.UPSTREAM]
    cards = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    cards = [o for o in cards if o.payload["kind"] == MessageKind.TICKET_NEW.value]
    assert [(o.channel, o.recipient, o.payload["number"], o.payload["text"]) for o in cards] == [
        (OutboxChannel.TELEGRAM, OFFICE_CHAT, t.number, new_ticket_text(t)) for t in tickets]
    assert all(o.payload["text"].startswith(f"【新工单】{o.payload['number']}（") for o in cards)
    # Masked: the office card is a push, the phone in the content never shows in full.
    assert not any("13800138000" in o.payload["text"] for o in cards)
