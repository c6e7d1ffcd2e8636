"""A citizen files a request; the office gets it with dispatch buttons. FSM on memory and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import BaseStorage
from sqlmodel import col, select

from bot import texts
from bot.models import TicketAttachment
from tests.bot.conftest import Harness, make_storage, texts_of
from tests.bot.helpers import file_in_bot
from tickets.enums import Action, OutboxChannel, RequestType, TicketStatus
from tickets.messaging import new_ticket_text
from tickets.models import Citizen, Outbox, Ticket, TicketEvent

CITIZEN = 5001
OFFICE = 9001


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def storage(request: pytest.FixtureRequest) -> AsyncIterator[BaseStorage]:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    store = await make_storage(request.param, redis_url)
    yield store
    await store.close()


PHOTO = [{"file_id": "small-id", "file_unique_id": "u1", "width": 90, "height": 90},
         {"file_id": "large-photo-id", "file_unique_id": "u2", "width": 1280, "height": 960}]


async def test_file_a_request_end_to_end(harness: Harness) -> None:
    h = harness
    started = await h.say(CITIZEN, "我要反映")
    assert texts_of(started) == [texts.FILE_ASK_CONTENT]

    photo = await h.say(CITIZEN, None, photo=PHOTO)
    assert texts_of(photo) == [texts.FILE_ASK_PHOTO_TEXT]
    content = "小区门口的路灯坏了一个多月，晚上很黑，希望尽快修好。"
    place_q = await h.say(CITIZEN, content)
    assert texts_of(place_q) == [texts.FILE_ASK_PLACE]
    assert place_q[0].buttons() == [["📍 发送当前位置"]]
    assert place_q[0].params["reply_markup"]["keyboard"][0][0]["request_location"] is True

    phone_q = await h.say(CITIZEN, None, location={"latitude": 31.2304, "longitude": 121.4737})
    assert texts_of(phone_q) == [texts.FILE_ASK_PHONE]
    assert phone_q[0].params["reply_markup"]["keyboard"][0][0]["request_contact"] is True

    bad = await h.say(CITIZEN, "12345")
    assert texts_of(bad) == ["电话号码“12345”格式不正确，请填写11位手机号或带区号的固定电话。"]

    summary = await h.say(CITIZEN, None, contact={"phone_number": "+86 138 1234 5678", "first_name": "李",
                                                   "user_id": CITIZEN})
    expected = texts.FILE_SUMMARY.format(type="投诉", category="城市管理",
                                         place="位置：31.23040, 121.47370", phone="13812345678",
                                         photos="1 张", content=content)
    assert texts_of(summary) == [expected]
    assert summary[0].buttons() == [["✅ 确认提交"], ["修改类型", "修改分类"], ["取消"]]

    types = await h.press(CITIZEN, summary[0].button_data("修改类型"))
    assert types[-1].buttons() == [["投诉", "咨询", "求助"], ["建议", "表扬", "举报"]]
    back = await h.press(CITIZEN, types[-1].button_data("求助"))
    assert texts_of(back) == [expected.replace("类型：投诉", "类型：求助")]
    cats = await h.press(CITIZEN, back[-1].button_data("修改分类"))
    assert cats[-1].buttons()[0] == ["人力资源和社会保障", "住房与城乡建设"]
    back = await h.press(CITIZEN, cats[-1].button_data("公共服务"))
    final_summary = expected.replace("类型：投诉", "类型：求助").replace("分类：城市管理", "分类：公共服务")
    assert texts_of(back) == [final_summary]

    done = await h.press(CITIZEN, back[-1].button_data("✅ 确认提交"))
    async with h.sessions() as session:
        ticket = (await session.exec(select(Ticket))).one()
        assert ticket.status is TicketStatus.RECEIVED
        assert ticket.content == content and ticket.place == "位置：31.23040, 121.47370"
        assert ticket.contact_phone == "13812345678" and ticket.request_type is RequestType.HELP
        assert ticket.category == "公共服务"
        citizen = (await session.exec(select(Citizen))).one()
        assert citizen.telegram_user_id == CITIZEN and ticket.citizen_id == citizen.id
        events = (await session.exec(select(TicketEvent))).all()
        assert [e.action for e in events] == [Action.RECEIVE]
        photos = (await session.exec(select(TicketAttachment))).all()
        assert [p.file_id for p in photos] == ["large-photo-id"]
        outbox = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
        # The citizen's confirmation is the bot's own reply below, not a second push.
        assert [(o.channel, o.recipient, o.payload["kind"]) for o in outbox] == [
            (OutboxChannel.TELEGRAM, str(OFFICE), "ticket_new"),
        ]
        # The same card as a ticket from any other channel (tests/integrations/test_channels_notify_alike.py).
        assert outbox[0].payload["text"] == new_ticket_text(ticket)
    # Monday 10:00 + 5 working days.
    assert texts_of(done) == [
        texts.FILE_DONE.format(number=ticket.number, due="2026-11-30 10:00 前（预计，派单后正式起算）")
    ]
    assert ticket.number == "2026112300001"

    pushed = await h.deliver_outbox()
    office_msg = [c for c in pushed if c.chat_id == OFFICE]
    assert len(office_msg) == 1
    assert office_msg[0].text.startswith(
        f"【新工单】{ticket.number}（求助·公共服务·一般）\n地点：位置：31.23040, 121.47370\n"
    )
    # The unit whose keywords match ("小区") is suggested; any other is one tap away.
    assert office_msg[0].buttons() == [["柳林洲街道"], ["其他单位…"]]

    # The office dispatches from the push; the unit's handler gets the card.
    units = await h.press(OFFICE, office_msg[0].button_data("其他单位…"))
    assert units[-1].buttons() == [["区住建局"], ["柳林洲街道"], ["供电分公司"]]
    dispatched = await h.press(OFFICE, units[-1].button_data("柳林洲街道"))
    assert texts_of(dispatched) == [f"工单 {ticket.number} 已派往柳林洲街道。"]
    async with h.sessions() as session:
        again = (await session.exec(select(Ticket))).one()
        assert again.status is TicketStatus.DISPATCHED and again.main_unit_id == h.org.unit_ids[1]
    pushed = await h.deliver_outbox()
    handler_push = [c for c in pushed if c.chat_id == 1011]
    assert len(handler_push) == 1 and handler_push[0].text.startswith(
        f"【新工单】{ticket.number}（一般·公共服务）"
    )
    assert handler_push[0].buttons() == [["接单", "已先行联系"], ["申请退单"]]


async def test_cancel_at_every_step(harness: Harness) -> None:
    h = harness
    for steps in ([], ["路灯坏了"], ["路灯坏了", "幸福路1号"], ["路灯坏了", "幸福路1号", "13812345678"]):
        await h.say(CITIZEN, "我要反映")
        for step in steps:
            await h.say(CITIZEN, step)
        cancelled = await h.say(CITIZEN, "/cancel")
        assert texts_of(cancelled) == [texts.CANCELLED]
        # After cancelling, free text goes to the knowledge base again.
        assert texts_of(await h.say(CITIZEN, "楼下早餐店油烟很大")) == [texts.KB_NO_ANSWER]
    async with h.sessions() as session:
        assert (await session.exec(select(Ticket))).all() == []


async def test_bad_input_loses_nothing(harness: Harness) -> None:
    h = harness
    await h.say(CITIZEN, "我要反映")
    assert texts_of(
        await h.say(
            CITIZEN,
            None,
            sticker={
                "file_id": "s",
                "file_unique_id": "s",
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            },
        )
    ) == [texts.TEXT_REQUIRED]
    assert texts_of(await h.say(CITIZEN, "   ")) == [texts.FILE_CONTENT_EMPTY]
    emoji = "😡😡 路灯坏了 😡"
    assert texts_of(await h.say(CITIZEN, emoji)) == [texts.FILE_ASK_PLACE]
    # The too-long message names the field it is about.
    assert texts_of(await h.say(CITIZEN, "地" * 201)) == ["“地点”超过 200 字的上限。"]
    assert texts_of(await h.say(CITIZEN, "幸福路1號")) == [texts.FILE_ASK_PHONE]
    summary = await h.say(CITIZEN, "021-62345678")
    assert "电话：021-62345678" in summary[0].text and f"内容：{emoji}" in summary[0].text


async def test_commands_inside_a_step_are_not_taken_as_input(harness: Harness) -> None:
    h = harness
    await h.say(CITIZEN, "我要反映")
    note = "您正在提交诉求，已保存草稿，继续请描述问题，放弃请 /cancel。"
    assert texts_of(await h.say(CITIZEN, "/foo")) == [texts.STEP_COMMAND, note]
    assert texts_of(await h.say(CITIZEN, "/status 2026")) == ["未找到工单 2026，请核对工单号。", note]
    # The draft is still there: a photo belongs to it.
    assert texts_of(await h.say(CITIZEN, None, photo=PHOTO)) == [texts.FILE_ASK_PHOTO_TEXT]


async def test_a_command_at_the_place_step_keeps_the_draft(harness: Harness) -> None:
    """Issue 13 item 2: after /status at the place step the address was taken as a ticket
    number and the phone went to the knowledge base."""
    h = harness
    await h.say(CITIZEN, "我要反映")
    await h.say(CITIZEN, "小区门口的路灯坏了一个多月")
    note = "您正在提交诉求，已保存草稿，继续请输入地点，放弃请 /cancel。"
    status = await h.say(CITIZEN, "/status")
    assert texts_of(status) == [texts.STATUS_USAGE, note]
    assert status[-1].buttons() == [["📍 发送当前位置"]]
    # Menu buttons that would start another input only remind of the draft.
    for button in ("查进度", "我要反映", "问问题"):
        assert texts_of(await h.say(CITIZEN, button)) == [note]
    assert texts_of(await h.say(CITIZEN, "我的诉求")) == [texts.MINE_EMPTY, note]
    assert texts_of(await h.say(CITIZEN, "/help")) == [texts.HELP, note]
    # So does an old 提交诉求 button.
    assert texts_of(await h.press(CITIZEN, "v1m:file")) == [note]
    assert texts_of(await h.say(CITIZEN, "幸福小区东门")) == [texts.FILE_ASK_PHONE]
    summary = await h.say(CITIZEN, "13812345678")
    assert "地点：幸福小区东门" in summary[0].text and "内容：小区门口的路灯坏了一个多月" in summary[0].text
    # /cancel is how a draft is given up.
    assert texts_of(await h.say(CITIZEN, "/cancel")) == [texts.CANCELLED]
    assert texts_of(await h.say(CITIZEN, "/help")) == [texts.HELP]


async def test_urgent_request_gets_the_urgent_term(harness: Harness) -> None:
    h = harness
    done = await file_in_bot(h, content="小区电梯困人了，里面有老人，请马上派人处理", place="幸福小区5号楼")
    async with h.sessions() as session:
        ticket = (await session.exec(select(Ticket))).one()
    assert ticket.urgency.value == "urgent"
    # Monday 10:00 + 1 working day.
    assert texts_of(done) == [
        texts.FILE_DONE.format(number=ticket.number, due="2026-11-24 10:00 前（预计，派单后正式起算）")
    ]
