"""The whole walk of issue 13, as the three people live it through the bot: a citizen asks,
files; the office dispatches; the handler accepts, calls and replies; the citizen reads the
reply, then the callback closes the ticket. Every message each of them receives is
asserted, with its buttons, in the order it arrives."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot import texts
from tests.bot.conftest import Harness, texts_of
from tests.bot.fake_telegram import Call
from tickets import texts as ttexts
from tickets.enums import Action, Satisfaction, TicketStatus
from tickets.models import Ticket, TicketEvent

CITIZEN = 5001
HANDLER = 1001  # 区住建局, A
OFFICE = 9001
CONTENT = "幸福小区3号楼楼道灯坏了一个月，晚上上下楼很黑，希望尽快修好。"
BODY = "经现场核实，3号楼楼道灯线路老化，已于今日更换线路和灯具，楼道恢复照明。"


def to(calls: list[Call], chat: int) -> list[Call]:
    return [c for c in calls if c.chat_id == chat and c.method == "sendMessage"]


async def test_citizen_office_handler_citizen(harness: Harness) -> None:
    h = harness
    # The citizen greets, asks, and is offered to file.
    hello = await h.say(CITIZEN, "你好")
    assert texts_of(hello) == [texts.KB_GREETING]
    assert hello[0].buttons() == [["问问题", "我要反映"], ["查进度", "我的诉求"]]
    asked = await h.say(CITIZEN, "楼道灯坏了没人修")
    assert texts_of(asked) == [texts.KB_NO_ANSWER] and asked[0].buttons() == [["提交诉求"]]
    started = await h.press(CITIZEN, asked[0].button_data("提交诉求"))
    assert texts_of(started) == [texts.FILE_ASK_CONTENT]
    assert texts_of(await h.say(CITIZEN, CONTENT)) == [texts.FILE_ASK_PLACE]
    assert texts_of(await h.say(CITIZEN, "幸福小区3号楼")) == [texts.FILE_ASK_PHONE]
    summary = await h.say(CITIZEN, "13812345678")
    assert texts_of(summary) == [
        texts.FILE_SUMMARY.format(
            type="投诉",
            category="物业管理",
            place="幸福小区3号楼",
            phone="13812345678",
            photos="无",
            content=CONTENT,
        )
    ]
    assert summary[0].buttons() == [["✅ 确认提交"], ["修改类型", "修改分类"], ["取消"]]
    done = await h.press(CITIZEN, summary[0].button_data("✅ 确认提交"))
    async with h.sessions() as session:
        number = (await session.exec(select(Ticket))).one().number
    assert texts_of(done) == [
        texts.FILE_DONE.format(number=number, due="2026-11-30 10:00 前（预计，派单后正式起算）")
    ]

    # The office gets the card and dispatches it.
    pushed = await h.deliver_outbox()
    card = to(pushed, OFFICE)
    assert [c.text for c in card] == [
        f"【新工单】{number}（投诉·物业管理·一般）\n地点：幸福小区3号楼\n{CONTENT}\n建议派往："
    ]
    # The suggestion (小区 → the street) is not the unit the office wants: it picks another.
    assert card[0].buttons() == [["柳林洲街道"], ["其他单位…"]]
    units = await h.press(OFFICE, card[0].button_data("其他单位…"))
    assert texts_of(units) == [texts.CHOOSE_UNIT]
    assert units[-1].buttons() == [["区住建局"], ["柳林洲街道"], ["供电分公司"]]
    dispatched = await h.press(OFFICE, units[-1].button_data("区住建局"))
    assert texts_of(dispatched) == [texts.DONE_DISPATCH.format(number=number, unit="区住建局")]

    # The handler and the citizen are told.
    pushed = await h.deliver_outbox()
    assert [c.text for c in to(pushed, CITIZEN)] == [
        ttexts.N_DISPATCHED_CITIZEN.format(number=number, unit="区住建局", due="2026-11-30 10:00")]
    work = to(pushed, HANDLER)
    assert [c.text for c in work] == [
        f"【新工单】{number}（一般·物业管理）\n地点：幸福小区3号楼\n{CONTENT}\n"
        "先行联系时限：2026-11-24 10:00\n办结时限：2026-11-30 10:00"]
    assert work[0].buttons() == [["接单", "已先行联系"], ["申请退单"]]

    # The handler accepts, calls the citizen, replies step by step.
    accepted = await h.press(HANDLER, work[0].button_data("接单"))
    assert texts_of(accepted) == [texts.DONE_ACCEPT.format(number=number, due="2026-11-24 10:00")]
    assert accepted[-1].buttons() == [["已先行联系", "申请退单"], ["申请延期"]]
    call = await h.press(HANDLER, accepted[-1].button_data("已先行联系"))
    assert texts_of(call) == [texts.ASK_CONTACT_RESULT.format(number=number)]
    assert call[-1].buttons() == [["已联系上", "未接通"]]
    reached = await h.press(HANDLER, call[-1].button_data("已联系上"))
    assert texts_of(reached) == [texts.DONE_CONTACT_REACHED.format(number=number)]
    assert reached[-1].buttons() == [["已先行联系", "申请退单"], ["申请延期", "回复办结"]]
    h.clock.advance(timedelta(hours=2))
    result_q = await h.press(HANDLER, reached[-1].button_data("回复办结"))
    assert texts_of(result_q) == [texts.ASK_RESULT.format(number=number)]
    assert result_q[-1].buttons() == [["实际解决", "解释说明", "诉求过高"], ["参考备案", "未解决"]]
    first = await h.press(HANDLER, result_q[-1].button_data("实际解决"))
    assert texts_of(first) == [texts.REPLY_STARTED.format(result="实际解决"),
                               "（1/7）请输入联系人：本次与诉求人联系的工作人员姓名"]
    for answer, next_question in [
        ("王五", "（2/7）请输入核实的事实：核实到的情况"),
        ("楼道灯线路老化", "（3/7）请输入处理意见：处理意见或办理结果"),
        ("已更换线路和灯具", "（4/7）请输入诉求人意见：诉求人对处理的意见"),
        ("满意", "（5/7）请输入答复人：答复诉求人的工作人员"),
        (
            "王五",
            "（6/7）请输入答复诉求人的时间：如“15:30”（今天）或“2026-11-23 15:30”；刚刚答复可输入“现在”",
        ),
        ("11:50", "（7/7）请输入回复正文：写给诉求人的答复，说明办理经过和结果，至少 15 字"),
    ]:
        assert texts_of(await h.say(HANDLER, answer)) == [next_question]
    check = await h.say(HANDLER, BODY)
    assert texts_of(check) == [texts.REPLY_SUMMARY.format(number=number, result="实际解决", lines=(
        "联系人：王五\n核实的事实：楼道灯线路老化\n处理意见：已更换线路和灯具\n诉求人意见：满意\n答复人：王五\n"
        f"答复诉求人的时间：2026-11-23 11:50\n回复正文：{BODY}"))]
    assert check[0].buttons() == [["✅ 确认提交", "重新填写"]]
    sent = await h.press(HANDLER, check[0].button_data("✅ 确认提交"))
    assert texts_of(sent) == [texts.DONE_REPLY.format(number=number, result="实际解决")]

    # The citizen reads the answer; the office reviews it from the notice's buttons.
    pushed = await h.deliver_outbox()
    reply = ttexts.N_REPLY_TO_CITIZEN.format(
        number=number,
        unit="区住建局",
        result="实际解决",
        reply=BODY,
        contest=ttexts.REPLY_CONTEST.format(phone="12345", hours="7×24小时"),
    )
    assert [c.text for c in to(pushed, CITIZEN)] == [reply]
    review = to(pushed, OFFICE)
    assert [c.text for c in review] == [f"【待审核】区住建局 已回复工单 {number}（实际解决），请审核并回访。"]
    assert review[0].buttons() == [["审核通过并回访", "退回重办"]]
    approved = await h.press(OFFICE, review[0].button_data("审核通过并回访"))
    assert texts_of(approved) == [texts.CB_SENT.format(number=number)]

    # The callback, after the reply was read.
    survey = to(await h.deliver_outbox(), CITIZEN)
    assert [c.text for c in survey] == [
        ttexts.N_CALLBACK_REQUEST.format(number=number) + "\n\n" + texts.CB_Q_CONTACTED
    ]
    step = survey[0]
    for question in (texts.CB_Q_ANSWERED, texts.CB_Q_SOLVED, texts.CB_Q_SATISFACTION):
        assert step.buttons() == [["是", "否"]]
        step = (await h.press(CITIZEN, step.button_data("是")))[-1]
        assert step.text == texts.CB_INTRO.format(number=number) + "\n\n" + question
    assert step.buttons() == [["满意", "基本满意"], ["一般", "不满意"]]
    closed = await h.press(CITIZEN, step.button_data("满意"))
    assert texts_of(closed) == [texts.CB_DONE_CLOSED.format(number=number)]
    assert [c.text for c in to(await h.deliver_outbox(), CITIZEN)] == [
        ttexts.N_CLOSED_CITIZEN.format(number=number)
    ]

    # Afterwards the citizen still finds the answer, and is thanked back.
    status = await h.say(CITIZEN, f"/status {number}")
    assert texts_of(status)[0].startswith(f"工单号：{number}\n状态：已办结")
    assert texts_of(status)[0].endswith(reply)
    assert texts_of(await h.say(CITIZEN, "谢谢")) == [texts.KB_THANKS_REPLY]

    async with h.sessions() as session:
        ticket = (await session.exec(select(Ticket))).one()
        assert ticket.status is TicketStatus.CLOSED and ticket.cb_satisfaction is Satisfaction.SATISFIED
        events = (await session.exec(select(TicketEvent).order_by(col(TicketEvent.id)))).all()
        assert [e.action for e in events] == [
            Action.RECEIVE,
            Action.DISPATCH,
            Action.ACCEPT,
            Action.FIRST_CONTACT,
            Action.REPLY,
            Action.CLOSE,
        ]
