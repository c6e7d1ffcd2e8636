"""What handlers and the office met on a real walk-through (issue 13, items 2 and 6–9):
drafts kept across commands, a guided reply with errors that say what is wrong, buttons
only for what is possible now, paged lists with totals, the review notice's buttons."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from bot import texts
from tests.bot import fake_telegram as tg
from tests.bot.conftest import Harness, texts_of
from tests.bot.fake_telegram import Failure
from tests.bot.helpers import CITIZEN, filed_ticket
from tickets import intake, service
from tickets.context import Actor
from tickets.enums import Action, Channel, RequestType, ResultCategory, TicketStatus, Urgency
from tickets.models import Ticket, TicketEvent
from tickets.schemas import ReplyData, TicketCreate

HANDLER = 1001
OFFICE = 9001


async def status_of(h: Harness, number: str) -> TicketStatus:
    async with h.sessions() as session:
        return (await session.exec(select(Ticket).where(Ticket.number == number))).one().status


async def contacted(h: Harness, number: str) -> None:
    async with h.sessions() as session:
        await service.first_contact(
            session, rules=h.rules, actor=h.org.handler(0), number=number, reached=True
        )
        await session.commit()


async def extension_reason_given(h: Harness) -> str:
    """A handler has accepted a ticket and, asking for an extension, given the reason (days next)."""
    number = await filed_ticket(h.sessions, h.rules, h.org)
    await h.press(HANDLER, f"v1t:acc:{number}:")
    await h.press(HANDLER, f"v1t:ext:{number}:")
    await h.say(HANDLER, "需要协调燃气公司停气施工")
    return number


# --- 2. a handler's draft survives a command; stray text is not a citizen's question ---------------


async def test_a_command_during_an_extension_request_keeps_it(harness: Harness) -> None:
    h = harness
    number = await extension_reason_given(h)
    listed = await h.say(HANDLER, "/mytickets")
    assert texts_of(listed)[0].startswith("本单位待办工单共 1 件")
    assert (
        texts_of(listed)[1]
        == f"您正在申请延期工单 {number}，已保存草稿，继续请输入延期天数，放弃请 /cancel。"
    )
    done = await h.say(HANDLER, "3天")
    assert texts_of(done) == [texts.DONE_EXTENSION.format(number=number, days=3)]
    assert await status_of(h, number) is TicketStatus.EXTENSION_REQUESTED


async def test_after_a_refused_extension_the_next_text_is_not_sent_to_the_knowledge_base(
    harness: Harness,
) -> None:
    h = harness
    number = await extension_reason_given(h)
    h.clock.advance(timedelta(days=1, minutes=1))  # the one-working-day window passes meanwhile
    refused = await h.say(HANDLER, "3")
    assert texts_of(refused) == ["延期须在接单后 1个工作日 内申请，已超过时限。"]
    assert await status_of(h, number) is TicketStatus.ACCEPTED
    assert texts_of(await h.say(HANDLER, "3天")) == [texts.STAFF_FREE_TEXT_HANDLER]
    assert texts_of(await h.say(OFFICE, "社保卡丢了怎么补办")) == [texts.STAFF_FREE_TEXT_OFFICE]


# --- 6. the guided reply ------------------------------------------------------------------------


async def test_the_reply_is_asked_step_by_step_with_errors_that_say_what_is_wrong(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    await contacted(h, number)
    started = await h.press(HANDLER, f"v1t:res:{number}:explained")
    assert texts_of(started)[-1] == "（1/7）请输入联系人：本次与诉求人联系的工作人员姓名"
    # A form with a label the bot does not know says which one.
    unknown = await h.say(HANDLER, "联系人：王五\n处理情况：已修好")
    assert texts_of(unknown) == ["无法识别的项目：处理情况。可以填写的项目有：联系人、核实的事实、处理意见、"
                                 "诉求人意见、答复人、答复诉求人的时间、回复正文。"]
    # The natural label "答复内容" is the reply's body, not a continuation of the time.
    form = await h.say(HANDLER, "联系人：王五\n核实的事实：线路老化\n答复诉求人的时间：09:50\n"
                                "答复内容：已经更换线路和灯具，楼道恢复照明，请您放心。")
    assert texts_of(form) == ["（3/7）请输入处理意见：处理意见或办理结果"]
    await h.say(HANDLER, "已更换线路")
    await h.say(HANDLER, "满意")
    assert texts_of(await h.say(HANDLER, "王五")) == [texts.REPLY_SUMMARY.format(
        number=number, result="解释说明", lines=(
            "联系人：王五\n核实的事实：线路老化\n处理意见：已更换线路\n诉求人意见：满意\n答复人：王五\n"
            "答复诉求人的时间：2026-11-23 09:50\n回复正文：已经更换线路和灯具，楼道恢复照明，请您放心。"))]
    # 重新填写 starts over; a time in the future and a short body are refused with the reason.
    redo = await h.press(HANDLER, f"v1t:redo:{number}:")
    assert texts_of(redo) == ["（1/7）请输入联系人：本次与诉求人联系的工作人员姓名"]
    for answer in ("王五", "线路老化", "已更换线路", "满意", "王五"):
        await h.say(HANDLER, answer)
    assert texts_of(await h.say(HANDLER, "10:30")) == [
        "答复时间“10:30”晚于现在（10:00），请填写已经答复诉求人的时间。"]
    assert texts_of(await h.say(HANDLER, "明天下午")) == [
        "答复时间“明天下午”无法识别，请写成“15:30”（今天）或“2026-11-23 15:30”。"]
    # A few minutes ahead is a clock difference, not the future.
    assert texts_of(await h.say(HANDLER, "10:03"))[0].startswith("（7/7）请输入回复正文")
    assert texts_of(await h.say(HANDLER, "修好了")) == [
        "回复正文只有 3 字，至少需要 15 字，请写明办理经过和结果。"
    ]
    summary = await h.say(HANDLER, "已经更换线路和灯具，楼道恢复照明，请您放心。")
    done = await h.press(HANDLER, summary[0].button_data("✅ 确认提交"))
    assert texts_of(done) == [texts.DONE_REPLY.format(number=number, result="解释说明")]
    assert await status_of(h, number) is TicketStatus.REPLIED


# --- 7. only the actions possible now --------------------------------------------------------------


async def test_buttons_follow_the_windows(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    accepted = await h.press(HANDLER, f"v1t:acc:{number}:")
    assert accepted[-1].buttons() == [["已先行联系", "申请退单"], ["申请延期"]]
    h.clock.advance(timedelta(days=1, minutes=1))  # past the one-working-day windows
    listed = await h.say(HANDLER, "/mytickets")
    card = (await h.press(HANDLER, listed[0].button_data(f"1. {number}（办理中）")))[-1]
    assert card.buttons() == [["已先行联系"]]
    # An old 申请延期 button: refused at once with the reason, before any question.
    late = await h.press(HANDLER, f"v1t:ext:{number}:")
    assert [c.method for c in late] == ["answerCallbackQuery"]
    assert late[0].params["text"] == "延期须在接单后 1个工作日 内申请，已超过时限。"
    # The handler's push after a rework carries what is possible then.
    await contacted(h, number)
    async with h.sessions() as session:
        await service.reply(
            session,
            rules=h.rules,
            actor=h.org.handler(0),
            number=number,
            data=ReplyData(
                result=ResultCategory.SOLVED,
                text="已经更换线路和灯具，楼道恢复照明。",
                contact_person="王五",
                facts="老化",
                judgement="更换",
                citizen_opinion="满意",
                answered_by="王五",
                answered_at=datetime.fromisoformat("2026-11-24T02:00:00+00:00"),
            ),
        )
        await service.rework(session, rules=h.rules, actor=h.org.office, number=number, note="请补充照片")
        await session.commit()
    pushed = [c for c in await h.deliver_outbox() if c.chat_id == HANDLER]
    assert pushed[-1].text.startswith(f"【退回重办】工单 {number}")
    assert pushed[-1].buttons() == [["已先行联系", "回复办结"]]


# --- 8. /mytickets: one compact list, paged ----------------------------------------------------------


async def test_mytickets_is_one_paged_list(harness: Harness) -> None:
    h = harness
    numbers = [
        await filed_ticket(h.sessions, h.rules, h.org, content=f"第{i}件：小区路灯坏了") for i in range(1, 15)
    ]
    async with h.sessions() as session:  # a ticket without the citizen's name (a phone request)
        ticket = await intake.create_ticket(
            session,
            rules=h.rules,
            actor=Actor.system("test"),
            data=TicketCreate(
                channel=Channel.PHONE,
                request_type=RequestType.HELP,
                content="井盖丢了",
                place="和平路12号",
                contact_phone="13900001111",
            ),
        )
        await service.dispatch(session, rules=h.rules, actor=h.org.office, number=ticket.number,
                               unit_id=h.org.unit_ids[0])
        await session.commit()
        numbers.append(ticket.number)
    before = len(h.fake.calls)
    first = await h.say(HANDLER, "/mytickets")
    assert [c.method for c in h.fake.calls[before:]] == ["sendMessage"]
    text = first[0].text
    assert text.startswith(
        "本单位待办工单共 15 件（已超期 0 · 即将到期 0 · 新工单 15 · 办理中 0），第 1/2 页"
    )
    assert (
        f"1. 【新工单】{numbers[0]}" in text
        and f"8. 【新工单】{numbers[7]}" in text
        and numbers[8] not in text
    )
    assert first[0].buttons()[-1] == ["下一页 ›"] and len(first[0].buttons()) == 9
    second = await h.press(HANDLER, first[0].button_data("下一页 ›"))
    edited = [c for c in second if c.method == "editMessageText"]
    assert edited[0].text.startswith("本单位待办工单共 15 件") and "第 2/2 页" in edited[0].text
    assert f"15. 【新工单】{numbers[14]}" in edited[0].text
    assert edited[0].buttons()[-1] == ["‹ 上一页"]
    card = (await h.press(HANDLER, edited[0].button_data(f"15. {numbers[14]}（新工单）")))[-1]
    assert "诉求人：（未留姓名） 13900001111\n地点：和平路12号" in card.text
    # The dispatch push names the place.
    pushed = [c for c in await h.deliver_outbox() if c.chat_id == HANDLER]
    assert pushed[-1].text.startswith(f"【新工单】{numbers[14]}（一般·未分类）\n地点：和平路12号\n井盖丢了")


# --- 9. the office's queues and the review notice -----------------------------------------------------


async def test_new_and_pending_are_paged_with_totals_urgent_first(harness: Harness) -> None:
    h = harness
    async with h.sessions() as session:
        drafts = [TicketCreate(channel=Channel.PHONE, request_type=RequestType.HELP, content=f"第{i}件诉求",
                               urgency=Urgency.URGENT if i == 19 else Urgency.GENERAL) for i in range(20)]
        for draft in drafts:
            await intake.create_ticket(session, rules=h.rules, actor=h.org.office, data=draft)
            h.clock.advance(timedelta(minutes=1))
        await session.commit()
    listed = await h.say(OFFICE, "/new")
    text = listed[0].text
    assert text.startswith("待派单工单共 20 件（紧急优先，其次受理最早的），第 1/3 页")
    lines = [line for line in text.splitlines() if line[:2].rstrip(".").isdigit()]
    assert lines[0].startswith("1. 2026112300020（紧急·待工作人员确定）")  # urgent first though received last
    assert lines[1].startswith("2. 2026112300001（一般")
    assert listed[0].buttons()[-1] == ["下一页 ›"]
    last = await h.press(OFFICE, "v1g:new:2")
    assert "第 3/3 页" in last[-1].text and last[-1].buttons()[-1] == ["‹ 上一页"]
    # A page beyond the list (it shrank meanwhile) shows its last page.
    assert "第 3/3 页" in (await h.press(OFFICE, "v1g:new:9"))[-1].text


async def test_overdue_is_paged_longest_overdue_first(harness: Harness) -> None:
    h = harness
    numbers = []
    for _ in range(10):
        numbers.append(await filed_ticket(h.sessions, h.rules, h.org, unit_index=1))
        h.clock.advance(timedelta(hours=1))
    h.clock.advance(timedelta(days=9))
    listed = await h.say(OFFICE, "/overdue")
    assert listed[0].text.startswith("超期工单共 10 件（超期最久的在前），第 1/2 页：\n"
                                     f"1. {numbers[0]}　柳林洲街道　超期 2 天　已派单")
    card = (await h.press(OFFICE, listed[0].button_data(f"1. {numbers[0]}")))[-1]
    assert card.text.startswith(f"工单 {numbers[0]}（已派单）")


async def test_the_review_notice_has_its_buttons(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    await contacted(h, number)
    started = await h.press(HANDLER, f"v1t:res:{number}:solved")
    assert started
    summary = await h.say(
        HANDLER,
        "联系人：王五\n核实的事实：线路老化\n处理意见：更换\n诉求人意见：满意\n答复人：王五\n"
        "答复诉求人的时间：现在\n回复正文：已经更换线路和灯具，楼道恢复照明。",
    )
    await h.press(HANDLER, summary[0].button_data("✅ 确认提交"))
    notice = [c for c in await h.deliver_outbox() if c.chat_id == OFFICE][-1]
    assert notice.text == f"【待审核】区住建局 已回复工单 {number}（实际解决），请审核并回访。"
    assert notice.buttons() == [["审核通过并回访", "退回重办"]]
    # 退回重办 asks the reason, then sends the ticket back.
    asked = await h.press(OFFICE, notice.button_data("退回重办"))
    assert texts_of(asked) == [texts.ASK_REWORK_REASON.format(number=number)]
    done = await h.say(OFFICE, "回复未说明更换时间，请补充")
    assert texts_of(done) == [texts.DONE_DECIDE.format(number=number, action="退回重办")]
    assert await status_of(h, number) is TicketStatus.ACCEPTED
    async with h.sessions() as session:
        events = (await session.exec(select(TicketEvent).order_by(col(TicketEvent.id)))).all()
        assert (events[-1].action, events[-1].note) == (Action.REWORK, "回复未说明更换时间，请补充")
    # After the second reply, 审核通过并回访 sends the citizen the questions.
    await h.press(HANDLER, f"v1t:res:{number}:solved")
    summary = await h.say(
        HANDLER,
        "联系人：王五\n核实的事实：线路老化\n处理意见：更换\n诉求人意见：满意\n答复人：王五\n"
        "答复诉求人的时间：现在\n回复正文：已于今天上午更换线路和灯具，楼道恢复照明。",
    )
    await h.press(HANDLER, summary[0].button_data("✅ 确认提交"))
    notice = [c for c in await h.deliver_outbox() if c.chat_id == OFFICE][-1]
    approved = await h.press(OFFICE, notice.button_data("审核通过并回访"))
    assert texts_of(approved) == [texts.CB_SENT.format(number=number)]
    survey = [c for c in await h.deliver_outbox() if c.chat_id == CITIZEN]
    assert survey[-1].text.startswith(f"您好，关于您的诉求（工单号 {number}），承办单位已回复办理结果")


async def test_turning_to_the_page_already_shown_is_not_an_error(harness: Harness) -> None:
    h = harness
    for _ in range(9):
        await filed_ticket(h.sessions, h.rules, h.org)
    await h.say(HANDLER, "/mytickets")
    await h.press(HANDLER, "v1g:mine:1")
    # Telegram refuses an edit that changes nothing; a double tap must not end in an error.
    h.fake.failures["editMessageText"].append(Failure(400, "Bad Request: message is not modified"))
    before = len(h.fake.calls)
    response = await h.post(tg.callback(h.fake.next_update_id(), HANDLER, "v1g:mine:1", message_id=1))
    assert response.status == 200
    answers = [c for c in h.fake.calls[before:] if c.method == "answerCallbackQuery"]
    assert [c.params.get("text") for c in answers] == [None]
    assert not [c for c in h.fake.calls[before:] if c.text == texts.ERROR_GENERIC]
