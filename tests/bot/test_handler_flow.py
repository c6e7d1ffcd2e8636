"""Handlers: check-in, the ticket cards, accept, first contact, reply; the office approves a
return and decides an extension; the citizen's callback closes or sends back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram.fsm.storage.base import BaseStorage
from sqlmodel import col, select

from bot import texts
from tests.bot.conftest import Harness, make_storage, texts_of
from tests.bot.fake_telegram import Call
from tests.bot.helpers import CITIZEN, filed_ticket
from tickets import calls, service
from tickets.enums import Action, CallOutcome, ResultCategory, Satisfaction, TicketStatus
from tickets.models import DutyLogin, Ticket, TicketEvent

HANDLER = 1001  # unit 0 (区住建局), slot A
OTHER_HANDLER = 1011  # unit 1 (柳林洲街道)
OFFICE = 9001


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def storage(request: pytest.FixtureRequest) -> AsyncIterator[BaseStorage]:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    store = await make_storage(request.param, redis_url)
    yield store
    await store.close()


async def ticket(h: Harness, number: str) -> Ticket:
    async with h.sessions() as session:
        return (await session.exec(select(Ticket).where(Ticket.number == number))).one()


async def actions(h: Harness, number: str) -> list[Action]:
    async with h.sessions() as session:
        t = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
        rows = await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id)
                                  .order_by(col(TicketEvent.id)))
        return [e.action for e in rows.all()]


REPLY = (
    "联系人：王五\n核实的事实：楼道灯线路老化\n处理意见：已更换线路和灯具\n诉求人意见：满意\n"
    "答复人：王五\n答复诉求人的时间：09:50\n回复正文：经现场核实，楼道灯线路老化，已于今日更换线路和灯具，恢复照明。"
)
REPLY_BODY = "经现场核实，楼道灯线路老化，已于今日更换线路和灯具，恢复照明。"


async def reply_step_by_step(h: Harness, number: str, result_q: Call, result: str = "实际解决") -> list[Call]:
    """The guided reply as a handler goes through it: each question, then the summary and 确认提交."""
    started = await h.press(HANDLER, result_q.button_data(result))
    assert texts_of(started) == [texts.REPLY_STARTED.format(result=result),
                                 "（1/7）请输入联系人：本次与诉求人联系的工作人员姓名"]
    steps = [
        ("王五", "（2/7）请输入核实的事实：核实到的情况"),
        ("楼道灯线路老化", "（3/7）请输入处理意见：处理意见或办理结果"),
        ("已更换线路和灯具", "（4/7）请输入诉求人意见：诉求人对处理的意见"),
        ("满意", "（5/7）请输入答复人：答复诉求人的工作人员"),
        (
            "王五",
            "（6/7）请输入答复诉求人的时间：如“15:30”（今天）或“2026-11-23 15:30”；刚刚答复可输入“现在”",
        ),
        ("09:50", "（7/7）请输入回复正文：写给诉求人的答复，说明办理经过和结果，至少 15 字"),
    ]
    for answer, question in steps:
        assert texts_of(await h.say(HANDLER, answer)) == [question]
    summary = await h.say(HANDLER, REPLY_BODY)
    assert texts_of(summary) == [texts.REPLY_SUMMARY.format(number=number, result=result, lines=(
        "联系人：王五\n核实的事实：楼道灯线路老化\n处理意见：已更换线路和灯具\n诉求人意见：满意\n答复人：王五\n"
        f"答复诉求人的时间：2026-11-23 09:50\n回复正文：{REPLY_BODY}"))]
    assert summary[0].buttons() == [["✅ 确认提交", "重新填写"]]
    return await h.press(HANDLER, summary[0].button_data("✅ 确认提交"))


async def test_handler_accepts_contacts_and_replies(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)

    checkin = await h.say(HANDLER, "/checkin")
    assert texts_of(checkin) == [
        texts.CHECKIN_DONE.format(
            unit="区住建局", date="2026-11-23", new=1, in_progress=0, due_soon=0, overdue=0
        )
        + "\n"
        + texts.CHECKIN_HINT
    ]
    async with h.sessions() as session:
        logins = (await session.exec(select(DutyLogin))).all()
        assert [(d.unit_id, d.work_date.isoformat()) for d in logins] == [(h.org.unit_ids[0], "2026-11-23")]

    listed = await h.say(HANDLER, "/mytickets")
    assert texts_of(listed) == [
        "本单位待办工单共 1 件（已超期 0 · 即将到期 0 · 新工单 1 · 办理中 0），"
        "第 1/1 页，点工单号查看并办理：\n"
        f"1. 【新工单】{number}　一般·城市管理\n   地点：幸福小区3号楼　时限：2026-11-30 10:00\n"
        "   幸福小区3号楼楼道灯坏了一个月，晚上很黑。"
    ]
    assert listed[0].buttons() == [[f"1. {number}（新工单）"]]
    card = (await h.press(HANDLER, listed[0].button_data(f"1. {number}（新工单）")))[-1]
    assert (
        card.text
        == f"工单 {number}（已派单）\n一般·投诉·城市管理\n诉求人：李先生 13812345678\n地点：幸福小区3号楼\n"
        "内容：幸福小区3号楼楼道灯坏了一个月，晚上很黑。\n先行联系时限：2026-11-24"
        " 10:00\n办结时限：2026-11-30 10:00"
    )
    assert card.buttons() == [["接单", "已先行联系"], ["申请退单"]]

    accepted = await h.press(HANDLER, card.button_data("接单"))
    assert texts_of(accepted) == [texts.DONE_ACCEPT.format(number=number, due="2026-11-24 10:00")]
    # No 回复办结 before the citizen was contacted: the button comes with the first contact.
    assert accepted[-1].buttons() == [["已先行联系", "申请退单"], ["申请延期"]]
    assert (await ticket(h, number)).status is TicketStatus.ACCEPTED
    # An old button pressed anyway is refused with the reason.
    early = await h.press(HANDLER, f"v1t:rep:{number}:")
    assert early[0].params["text"] == "尚未记录先行联系，请先联系诉求人再回复办结。"

    contact_q = await h.press(HANDLER, accepted[-1].button_data("已先行联系"))
    assert contact_q[-1].buttons() == [["已联系上", "未接通"]]
    reached = await h.press(HANDLER, contact_q[-1].button_data("已联系上"))
    assert texts_of(reached) == [texts.DONE_CONTACT_REACHED.format(number=number)]
    assert reached[-1].buttons() == [["已先行联系", "申请退单"], ["申请延期", "回复办结"]]

    h.clock.advance(timedelta(hours=1, minutes=40))
    result_q = await h.press(HANDLER, reached[-1].button_data("回复办结"))
    assert result_q[-1].buttons() == [["实际解决", "解释说明", "诉求过高"], ["参考备案", "未解决"]]
    done = await reply_step_by_step(h, number, result_q[-1])
    assert texts_of(done) == [texts.DONE_REPLY.format(number=number, result="实际解决")]
    t = await ticket(h, number)
    assert t.status is TicketStatus.REPLIED and t.result is ResultCategory.SOLVED
    assert (
        t.reply_details["contact_person"] == "王五"
        and t.reply_details["answered_at"] == "2026-11-23T01:50:00Z"
    )
    assert await actions(h, number) == [Action.RECEIVE, Action.DISPATCH, Action.ACCEPT, Action.FIRST_CONTACT,
                                        Action.REPLY]

    # The office is told, starts the callback; the citizen answers and the ticket closes.
    # (Its 新工单 card went out when the ticket came in by the hotline: every channel's ticket has one.)
    pushed = await h.deliver_outbox()
    assert [c.text for c in pushed if c.chat_id == OFFICE] == [
        f"【新工单】{number}（投诉·城市管理·一般）\n地点：幸福小区3号楼\n幸福小区3号楼楼道灯坏了一个月，晚上很黑。\n建议派往：",
        f"【待审核】区住建局 已回复工单 {number}（实际解决），请审核并回访。"]
    sent = await h.say(OFFICE, f"/callback {number}")
    assert texts_of(sent) == [texts.CB_SENT.format(number=number)]
    survey = [c for c in await h.deliver_outbox() if c.chat_id == CITIZEN]
    assert survey[-1].text == texts.CB_INTRO.format(number=number) + "\n\n" + texts.CB_Q_CONTACTED
    step = survey[-1]
    for label in ("是", "是", "是"):
        step = (await h.press(CITIZEN, step.button_data(label)))[-1]
    assert step.buttons() == [["满意", "基本满意"], ["一般", "不满意"]]
    closed = await h.press(CITIZEN, step.button_data("满意"))
    assert texts_of(closed) == [texts.CB_DONE_CLOSED.format(number=number)]
    t = await ticket(h, number)
    assert t.status is TicketStatus.CLOSED and t.cb_satisfaction is Satisfaction.SATISFIED
    assert (await actions(h, number))[-1] is Action.CLOSE
    # Pressing an old button again changes nothing.
    again = await h.press(CITIZEN, step.button_data("不满意"))
    assert texts_of(again) == [texts.CB_ALREADY]


async def test_unsatisfied_callback_sends_back_for_rework(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    await h.press(HANDLER, f"v1t:con:{number}:")
    await h.press(HANDLER, f"v1t:reached:{number}:")
    await h.press(HANDLER, f"v1t:res:{number}:explained")
    # A whole form pasted at once is taken too; only the confirmation is left.
    summary = await h.say(HANDLER, REPLY)
    assert summary[0].buttons() == [["✅ 确认提交", "重新填写"]]
    await h.press(HANDLER, summary[0].button_data("✅ 确认提交"))
    assert (await ticket(h, number)).status is TicketStatus.REPLIED
    await h.say(OFFICE, f"/callback {number}")
    await h.deliver_outbox()
    done = await h.press(CITIZEN, f"v1c:{number}:yyn")
    done = await h.press(CITIZEN, done[-1].button_data("不满意"))
    assert texts_of(done) == [texts.CB_DONE_REWORK.format(number=number)]
    t = await ticket(h, number)
    assert t.status is TicketStatus.ACCEPTED and t.rework_count == 1
    assert (await actions(h, number))[-1] is Action.REWORK
    pushed = [c for c in await h.deliver_outbox() if c.chat_id == HANDLER]
    assert pushed[-1].text.startswith(f"【退回重办】工单 {number} 需重新办理")
    assert pushed[-1].buttons() == [["已先行联系", "申请退单"], ["申请延期", "回复办结"]]


async def test_return_request_approved_by_office(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    asked = await h.press(HANDLER, f"v1t:ret:{number}:")
    assert texts_of(asked) == [texts.ASK_RETURN_REASON.format(number=number)]
    assert texts_of(await h.say(HANDLER, "楼道照明属于街道管理范围")) == [texts.ASK_RETURN_UNIT]
    done = await h.say(HANDLER, "柳林洲街道")
    assert texts_of(done) == [texts.DONE_RETURN.format(number=number)]
    assert (await ticket(h, number)).status is TicketStatus.RETURN_REQUESTED

    push = [c for c in await h.deliver_outbox() if c.chat_id == OFFICE]
    assert push[-1].text == f"【退单申请】区住建局 申请退回工单 {number}：楼道照明属于街道管理范围"
    listed = await h.say(OFFICE, "/pending")
    assert (
        listed[0].text
        == "待审批的退单和延期申请共 1 件（紧急优先，其次时限最近的），第 1/1 页，点工单号审批：\n"
        f"1. 【退单】{number}　区住建局　时限 2026-11-30 10:00"
    )
    pending = (await h.press(OFFICE, listed[0].button_data(f"1. {number}")))[1:]
    assert (
        pending[0].text
        == f"【退单申请】工单 {number}\n承办单位：区住建局\n"
        "理由：楼道照明属于街道管理范围\n建议承办单位：柳林洲街道"
    )
    assert pending[0].buttons() == [["同意", "不同意"]]
    units = await h.press(OFFICE, pending[0].button_data("同意"))
    assert texts_of(units) == [texts.ASK_NEW_UNIT]
    assert units[-1].buttons()[0] == ["柳林洲街道"]
    done = await h.press(OFFICE, units[-1].button_data("柳林洲街道"))
    assert texts_of(done) == [texts.DONE_DECIDE.format(number=number, action="同意退单")]
    t = await ticket(h, number)
    assert t.status is TicketStatus.DISPATCHED and t.main_unit_id == h.org.unit_ids[1]
    assert await actions(h, number) == [Action.RECEIVE, Action.DISPATCH, Action.REQUEST_RETURN,
                                        Action.APPROVE_RETURN]
    pushes = await h.deliver_outbox()
    assert [c.text for c in pushes if c.chat_id == HANDLER] == [
        f"工单 {number} 的退单申请已同意，已改派柳林洲街道。"]
    assert [c.buttons() for c in pushes if c.chat_id == OTHER_HANDLER] == [
        [["接单", "已先行联系"], ["申请退单"]]
    ]


async def test_extension_refused_then_approved(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    await h.press(HANDLER, f"v1t:acc:{number}:")
    await h.press(HANDLER, f"v1t:ext:{number}:")
    days_q = await h.say(HANDLER, "需要协调燃气公司停气施工")
    assert days_q[0].buttons() == [["1", "2", "3", "5", "10"]]
    assert texts_of(await h.say(HANDLER, "九十")) == [texts.EXTENSION_DAYS_BAD.format(limit=30)]
    assert texts_of(await h.say(HANDLER, "31")) == ["延期天数须在 1 到 30 个工作日之间。"]
    done = await h.say(HANDLER, "3")
    assert texts_of(done) == [texts.DONE_EXTENSION.format(number=number, days=3)]
    assert (await ticket(h, number)).status is TicketStatus.EXTENSION_REQUESTED

    listed = await h.say(OFFICE, "/pending")
    pending = (await h.press(OFFICE, listed[0].button_data(f"1. {number}")))[1:]
    assert pending[0].text.startswith(f"【延期申请】工单 {number}\n承办单位：区住建局\n申请延期：3 个工作日")
    ask = await h.press(OFFICE, pending[0].button_data("不同意"))
    assert texts_of(ask) == [texts.ASK_REFUSE_REASON]
    refused = await h.say(OFFICE, "理由不充分，请按期办结")
    assert texts_of(refused) == [texts.DONE_DECIDE.format(number=number, action="不同意延期")]
    t = await ticket(h, number)
    assert t.status is TicketStatus.ACCEPTED and t.extended_days == 0

    await h.press(HANDLER, f"v1t:ext:{number}:")
    await h.say(HANDLER, "施工需要三天")
    await h.press(HANDLER, f"v1t:days:{number}:2")
    listed = await h.say(OFFICE, "/pending")
    pending = (await h.press(OFFICE, listed[0].button_data(f"1. {number}")))[1:]
    approved = await h.press(OFFICE, pending[0].button_data("同意"))
    assert texts_of(approved) == [texts.DONE_DECIDE.format(number=number, action="同意延期")]
    t = await ticket(h, number)
    assert t.extended_days == 2 and t.status is TicketStatus.ACCEPTED
    assert await actions(h, number) == [
        Action.RECEIVE,
        Action.DISPATCH,
        Action.ACCEPT,
        Action.REQUEST_EXTENSION,
        Action.REFUSE_EXTENSION,
        Action.REQUEST_EXTENSION,
        Action.APPROVE_EXTENSION,
    ]


async def test_the_handlers_card_shows_the_双呼_calls(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    dialed = h.clock.now() + timedelta(minutes=5)
    async with h.sessions() as session:
        for i, outcome in enumerate([CallOutcome.NO_ANSWER, CallOutcome.BUSY]):
            at = dialed + timedelta(minutes=61 * i)
            h.clock.set(at + timedelta(minutes=1))
            await service.record_call(
                session,
                rules=h.rules,
                report=calls.CallReport(
                    call_id=f"DC-{i}",
                    ticket_number=number,
                    calling_unit_id=h.org.unit_ids[0],
                    calling_staff="王五",
                    callee_phone="13812345678",
                    dialed_at=at,
                    answered_at=None,
                    hung_up_at=at + timedelta(seconds=40),
                    outcome=outcome,
                ),
            )
        await session.commit()
    listed = await h.say(HANDLER, "/mytickets")
    card = (await h.press(HANDLER, listed[0].button_data(f"1. {number}（新工单）")))[-1]
    assert card.text.endswith(
        "办结时限：2026-11-30 10:00\n双呼通话 2 次（最近 2026-11-23 11:06，占线）\n"
        "先行联系：尚无双呼通话证实（已计未接通2次：2026-11-23 10:05、2026-11-23 11:06；"
        "需3次、每次间隔至少1小时）"
    )
