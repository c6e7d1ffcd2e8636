"""Tracking links and the public timeline: every citizen message carries a signed, expiring
link (no phone in it); the page shows received / dispatched to which unit / replied /
closed, never a handler's name or an internal note."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.tickets.test_service import full_reply
from tickets import intake, service, texts, timeline
from tickets.clock import ManualClock, shanghai
from tickets.context import Actor, Rules
from tickets.enums import Action, Channel, OutboxChannel, RequestType, Role, Satisfaction, TicketStatus
from tickets.errors import Forbidden
from tickets.models import Outbox, Ticket
from tickets.schemas import CallbackAnswers, TicketCreate
from tickets.tracking import BadTrackingLink, TrackingLinks

LINKS = TrackingLinks(secret="test-secret", base_url="https://12345.example.gov.cn/")
PHONE = "13800138000"


@pytest.fixture
def linked(rules: Rules) -> Rules:
    return replace(rules, links=LINKS)


async def file_web(session: AsyncSession, rules: Rules) -> Ticket:
    return await intake.create_ticket(
        session, rules=rules, actor=Actor(role=Role.CITIZEN, name="市民"),
        data=TicketCreate(channel=Channel.WEB, request_type=RequestType.COMPLAINT, category="城市管理",
                          content="幸福路路灯坏了一周，晚上很黑。", place="幸福路12号", contact_phone=PHONE))


def test_a_link_names_the_ticket_and_expires(clock: ManualClock) -> None:
    now = clock.now()
    url = LINKS.url("2026112300001", now=now)
    assert url.startswith("https://12345.example.gov.cn/h5/t/2026112300001.")
    token = url.rsplit("/", 1)[1]
    assert LINKS.read(token, now=now + timedelta(days=89)) == "2026112300001"
    with pytest.raises(BadTrackingLink) as error:
        LINKS.read(token, now=now + timedelta(days=90, seconds=1))
    assert error.value.message == texts.ERR_LINK_EXPIRED
    # Another number with the same signature, another key, a changed expiry: refused.
    number, expiry, signature = token.split(".")
    for forged in (f"2026112300002.{expiry}.{signature}", f"{number}.zzzzzz.{signature}", "x", ""):
        with pytest.raises(BadTrackingLink) as error:
            LINKS.read(forged, now=now)
        assert error.value.message == texts.ERR_LINK_INVALID
    with pytest.raises(BadTrackingLink):
        TrackingLinks(secret="other", base_url="").read(token, now=now)


async def test_every_sms_to_the_citizen_carries_the_link_without_the_phone(
    session: AsyncSession, linked: Rules, org: Org
) -> None:
    ticket = await file_web(session, linked)
    await service.dispatch(
        session, rules=linked, actor=org.office, number=ticket.number, unit_id=org.unit_ids[0]
    )
    await session.commit()
    sms = (
        await session.exec(
            select(Outbox)
            .where(Outbox.channel == OutboxChannel.SMS, Outbox.recipient == PHONE)
            .order_by(col(Outbox.id))
        )
    ).all()
    assert [m.payload["kind"] for m in sms] == ["ticket_received", "ticket_dispatched_citizen"]
    for message in sms:
        text = message.payload["text"]
        assert "\n查看进度：https://12345.example.gov.cn/h5/t/" in text
        token = text.rsplit("/", 1)[1]
        assert LINKS.read(token, now=linked.now()) == ticket.number
        assert PHONE not in token and PHONE[-4:] not in token.split(".", 1)[1]
    # Monday 2026-11-23 10:00 + 5 working days, as the receipt of every channel says.
    assert sms[0].payload["text"].startswith(texts.N_TICKET_RECEIVED.format(
        number=ticket.number, due="2026-11-30 10:00 前（预计，派单后正式起算）"))


async def test_no_link_without_public_url(session: AsyncSession, rules: Rules) -> None:
    await file_web(session, rules)
    receipt = (await session.exec(select(Outbox).where(Outbox.channel == OutboxChannel.SMS))).one()
    assert "http" not in receipt.payload["text"]


async def test_public_timeline_has_units_but_no_names_or_notes(session: AsyncSession, rules: Rules, org: Org,
                                                               clock: ManualClock) -> None:
    ticket = await file_web(session, rules)
    number = ticket.number
    await service.dispatch(session, rules=rules, actor=org.office, number=number, unit_id=org.unit_ids[0],
                           note="内部备注：该市民多次来电")
    handler = org.handler(0)
    clock.advance(timedelta(hours=1))
    await service.first_contact(session, rules=rules, actor=handler, number=number, reached=True,
                                note="电话联系，市民情绪激动")
    await service.site_visit(session, rules=rules, actor=handler, number=number, findings="现场三盏路灯不亮")
    clock.set(shanghai(2026, 11, 24, 16, 0))
    await service.reply(session, rules=rules, actor=handler, number=number,
                        data=full_reply(site_findings="现场三盏路灯不亮"))
    await session.commit()

    steps = await timeline.public_timeline(session, ticket=ticket)
    assert [(s.action, s.text) for s in steps] == [
        (Action.RECEIVE, "诉求已受理"),
        (Action.DISPATCH, "已转交区住建局办理"),
        (Action.REPLY, "区住建局已回复办理结果"),
    ]
    public = await timeline.tracking_view(session, ticket=ticket, owner=False)
    shown = repr(public)
    for secret in ("内部备注", "情绪激动", "联络员0A", "王主任", "现场三盏", PHONE, "幸福路12号", "路灯坏了"):
        assert secret not in shown
    assert public.reply_text is None and not public.can_rate and public.unit == "区住建局"
    own = await timeline.tracking_view(session, ticket=ticket, owner=True)
    assert own.reply_text == full_reply().text and own.can_rate and own.place == "幸福路12号"

    # The citizen's negative answer sends it back, and the timeline says so (no reason shown).
    actor = await timeline.owner_actor(session, ticket=ticket, phone=PHONE)
    await service.record_callback(
        session,
        rules=rules,
        actor=actor,
        number=number,
        answers=CallbackAnswers(
            contacted=True,
            answered=True,
            solved=False,
            satisfaction=Satisfaction.UNSATISFIED,
            note="市民通过网页回访作答",
        ),
    )
    await session.commit()
    assert ticket.status is TicketStatus.ACCEPTED
    steps = await timeline.public_timeline(session, ticket=ticket)
    assert steps[-1].text == "已退回区住建局重新办理"
    with pytest.raises(Forbidden):
        await timeline.owner_actor(session, ticket=ticket, phone="13900000000")


async def test_callback_request_reaches_a_web_citizen_by_sms_with_the_link(
    session: AsyncSession, linked: Rules, rules: Rules, org: Org
) -> None:
    from tickets import messaging

    ticket = await file_web(session, linked)
    await service.dispatch(
        session, rules=linked, actor=org.office, number=ticket.number, unit_id=org.unit_ids[0]
    )
    await service.first_contact(
        session, rules=linked, actor=org.handler(0), number=ticket.number, reached=True
    )
    await service.reply(session, rules=linked, actor=org.handler(0), number=ticket.number, data=full_reply())
    # Without links the office has to call (as before); with them the citizen gets an SMS.
    assert await messaging.request_callback(session, rules=rules, ticket=ticket) is False
    assert await messaging.request_callback(session, rules=linked, ticket=ticket) is True
    await session.commit()
    sms = (await session.exec(select(Outbox).where(Outbox.recipient == PHONE)
                              .order_by(col(Outbox.id).desc()))).first()
    assert sms is not None and sms.payload["kind"] == "callback_request" and sms.channel is OutboxChannel.SMS
    head, url = sms.payload["text"].split("\n请点击链接查看答复并评价：")
    assert head == texts.N_CALLBACK_REQUEST.format(number=ticket.number)
    assert LINKS.read(url.rsplit("/", 1)[1], now=linked.now()) == ticket.number
