"""The office: /new with dispatch buttons, /duty, /overdue, /callback edge cases."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot import texts
from tests.bot.conftest import Harness, texts_of
from tests.bot.helpers import filed_ticket
from tickets.enums import TicketStatus
from tickets.models import Ticket

OFFICE = 9001
HANDLER = 1001


async def test_new_tickets_with_suggested_units(harness: Harness) -> None:
    h = harness
    assert texts_of(await h.say(OFFICE, "/new")) == [texts.NEW_EMPTY]
    number = await filed_ticket(h.sessions, h.rules, h.org, unit_index=None,
                                content="我家小区停电两天了，物业说不清楚原因。")
    listed = await h.say(OFFICE, "/new")
    assert (
        listed[0].text
        == "待派单工单共 1 件（紧急优先，其次受理最早的），第 1/1 页，点工单号派单：\n"
        f"1. {number}（一般·城市管理）受理 2026-11-23 10:00\n   我家小区停电两天了，物业说不清楚原因。"
    )
    cards = (await h.press(OFFICE, listed[0].button_data(f"1. {number}")))[1:]
    assert cards[0].text == (f"【新工单】{number}（投诉·城市管理·一般）\n地点：幸福小区3号楼\n"
                             "我家小区停电两天了，物业说不清楚原因。\n建议派往：")
    # Keyword routing: 停电 (供电分公司), 物业 (区住建局), 小区 (柳林洲街道) — one equal hit each,
    # the classifier's tie-break orders them by name.
    assert sorted(cards[0].buttons()[:3]) == [["供电分公司"], ["区住建局"], ["柳林洲街道"]]
    assert cards[0].buttons()[3] == ["其他单位…"]
    done = await h.press(OFFICE, cards[0].button_data("供电分公司"))
    assert texts_of(done) == [texts.DONE_DISPATCH.format(number=number, unit="供电分公司")]
    async with h.sessions() as session:
        ticket = (await session.exec(select(Ticket))).one()
        assert ticket.status is TicketStatus.DISPATCHED and ticket.main_unit_id == h.org.unit_ids[2]
    # The same button again: the service refuses, the office is told why.
    again = await h.press(OFFICE, cards[0].button_data("供电分公司"))
    assert again[0].params["text"] == f"工单 {number} 当前状态为“已派单”，不能进行“派单”操作。"


async def test_duty_and_overdue(harness: Harness) -> None:
    h = harness
    await h.say(HANDLER, "/checkin")
    duty = await h.say(OFFICE, "/duty")
    assert texts_of(duty) == ["今日（2026-11-23）值守登录情况：已登录 1/3\n✅ 区住建局　10:00\n"
                              "❌ 柳林洲街道　未登录\n❌ 供电分公司　未登录"]
    assert texts_of(await h.say(OFFICE, "/overdue")) == [texts.OVERDUE_EMPTY]
    number = await filed_ticket(h.sessions, h.rules, h.org, unit_index=1)
    h.clock.advance(timedelta(days=9))  # due Monday 30th 10:00; now Wednesday 2nd
    overdue = await h.say(OFFICE, "/overdue")
    assert texts_of(overdue) == [
        f"超期工单共 1 件（超期最久的在前），第 1/1 页：\n1. {number}　柳林洲街道　超期 2 天　已派单"
    ]
    duty = await h.say(OFFICE, "/duty")
    assert texts_of(duty)[0].startswith("今日（2026-12-02）值守登录情况：已登录 0/3")


async def test_callback_needs_a_replied_ticket_and_a_telegram_citizen(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    assert texts_of(await h.say(OFFICE, "/callback")) == [texts.CB_USAGE]
    assert texts_of(await h.say(OFFICE, f"/callback {number}")) == [
        texts.CB_NOT_READY.format(number=number, status="已派单")]
    assert texts_of(await h.say(OFFICE, "/callback 999")) == ["未找到工单 999，请核对工单号。"]
