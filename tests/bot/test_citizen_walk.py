"""What a citizen met on a real walk-through (issue 13, items 1–5): the unit's reply reaches
them before the callback, drafts survive a command, content without words is refused,
small talk is answered as a person would, and the deadline reads the same everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from bot import texts
from tests.bot.conftest import Harness, texts_of
from tests.bot.helpers import CITIZEN, file_in_bot, filed_ticket
from tickets import intake, service
from tickets import texts as ttexts
from tickets.context import Actor
from tickets.enums import Channel, OutboxChannel, RequestType, ResultCategory, TicketStatus
from tickets.models import Outbox, Ticket
from tickets.schemas import ReplyData, TicketCreate

OFFICE = 9001
REPLY_BODY = "经现场核实，楼道灯线路老化，已于今日更换线路和灯具，恢复照明。"
EXPECTED_DUE = "2026-11-30 10:00 前（预计，派单后正式起算）"


def reply_text(number: str) -> str:
    return ttexts.N_REPLY_TO_CITIZEN.format(
        number=number, unit="区住建局", result="实际解决", reply=REPLY_BODY,
        contest=ttexts.REPLY_CONTEST.format(phone="12345", hours="7×24小时"))


async def replied(h: Harness, number: str) -> None:
    """The unit contacts the citizen and replies (the handler's own flow is tested elsewhere)."""
    actor = h.org.handler(0)
    async with h.sessions() as session:
        await service.first_contact(session, rules=h.rules, actor=actor, number=number, reached=True)
        await service.reply(session, rules=h.rules, actor=actor, number=number, data=ReplyData(
            result=ResultCategory.SOLVED, text=REPLY_BODY, contact_person="王五", facts="线路老化",
            judgement="已更换", citizen_opinion="满意", answered_by="王五",
            answered_at=datetime.fromisoformat("2026-11-23T01:50:00+00:00")))
        await session.commit()


# --- 1. the unit's answer reaches the citizen -------------------------------------------------


async def test_the_reply_reaches_the_citizen_before_the_callback_questions(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    await h.deliver_outbox()
    await replied(h, number)
    await h.say(OFFICE, f"/callback {number}")
    to_citizen = [c for c in await h.deliver_outbox() if c.chat_id == CITIZEN]
    assert [c.text for c in to_citizen] == [
        reply_text(number), ttexts.N_CALLBACK_REQUEST.format(number=number) + "\n\n" + texts.CB_Q_CONTACTED]
    assert to_citizen[0].buttons() == []

    # /status and 我的诉求 show the answer too.
    status = await h.say(CITIZEN, f"/status {number}")
    assert texts_of(status) == [texts.STATUS_OWN.format(
        number=number, status="已回复，待回访", type="投诉", category="城市管理", unit="区住建局",
        received="2026-11-23 10:00", due="2026-11-30 10:00", place="幸福小区3号楼",
        content="幸福小区3号楼楼道灯坏了一个月，晚上很黑。") + "\n\n" + reply_text(number)]
    mine = await h.say(CITIZEN, "我的诉求")
    assert texts_of(mine) == ["您的诉求（最近 1 件）：\n" + texts.MINE_LINE.format(
        number=number, status="已回复，待回访", due="2026-11-30 10:00",
        summary="幸福小区3号楼楼道灯坏了一个月，晚上很黑。") + "\n" + texts.MINE_REPLY.format(
        result="实际解决", reply=REPLY_BODY, number=number)]


async def test_a_phone_request_gets_the_reply_by_sms_and_in_the_chat(harness: Harness) -> None:
    h = harness
    # The citizen is known on Telegram from an earlier bot request, and now called the hotline.
    await filed_ticket(h.sessions, h.rules, h.org)
    async with h.sessions() as session:
        ticket = await intake.create_ticket(
            session,
            rules=h.rules,
            actor=h.org.office,
            data=TicketCreate(
                channel=Channel.PHONE,
                request_type=RequestType.COMPLAINT,
                content="路口红绿灯不亮了",
                place="幸福路口",
                contact_phone="13812345678",
            ),
        )
        await service.dispatch(session, rules=h.rules, actor=h.org.office, number=ticket.number,
                               unit_id=h.org.unit_ids[0])
        await session.commit()
        number = ticket.number
    await replied(h, number)
    async with h.sessions() as session:
        rows = (
            await session.exec(
                select(Outbox)
                .where(Outbox.payload["kind"].as_string() == "reply_to_citizen")
                .order_by(col(Outbox.id))
            )
        ).all()
    assert [(o.channel, o.recipient, o.payload["text"]) for o in rows] == [
        (OutboxChannel.TELEGRAM, str(CITIZEN), reply_text(number)),
        (OutboxChannel.SMS, "13812345678", reply_text(number))]


# --- 3. content without words; the too-long field is named ------------------------------------


async def test_emoji_or_punctuation_only_content_is_refused(harness: Harness) -> None:
    h = harness
    await h.say(CITIZEN, "我要反映")
    for content in ("😡😡😡", "？？？！！！", "……"):
        assert texts_of(await h.say(CITIZEN, content)) == [ttexts.ERR_CONTENT_NO_WORDS]
    assert texts_of(await h.say(CITIZEN, "路灯坏了😡")) == [texts.FILE_ASK_PLACE]
    assert texts_of(await h.say(CITIZEN, "路" * 201)) == ["“地点”超过 200 字的上限。"]
    # The same rule at the one door of every channel.
    async with h.sessions() as session:
        outcomes = await intake.create_tickets(session, rules=h.rules, actor=Actor.system("test"), drafts=[
            TicketCreate(channel=Channel.WEB, request_type=RequestType.HELP, content="👍👍")])
        assert [o.message for o in outcomes if not isinstance(o, Ticket)] == [ttexts.ERR_CONTENT_NO_WORDS]


# --- 4. small talk, a person, out of scope --------------------------------------------------------


async def test_small_talk_is_answered_as_a_person_would(harness: Harness) -> None:
    h = harness
    for greeting in ("你好", "在吗？", "您好呀"):
        calls = await h.say(CITIZEN, greeting)
        assert texts_of(calls) == [texts.KB_GREETING]
        assert calls[0].buttons() == [["问问题", "我要反映"], ["查进度", "我的诉求"]]
    assert texts_of(await h.say(CITIZEN, "谢谢！")) == ["不客气，很高兴能帮到您！还有其他问题随时找我。"]
    assert texts_of(await h.say(CITIZEN, "再见")) == [texts.KB_GOODBYE]
    # A polite question is still a question.
    answered = await h.say(CITIZEN, "你好，社保卡丢了怎么补办")
    assert texts_of(answered)[0].startswith("【社保卡丢了怎么补办】\n社保卡遗失后")


async def test_asking_for_a_person_gives_the_phone_line_and_hours(harness: Harness) -> None:
    calls = await harness.say(CITIZEN, "我要找人工")
    assert texts_of(calls) == [
        "好的，需要人工服务可以：\n· 拨打12345热线，人工坐席服务时间：7×24小时；\n"
        "· 或点下方“提交诉求”，写明情况后由工作人员转交相关部门办理。"]
    assert calls[0].buttons() == [["提交诉求"]]


async def test_an_out_of_scope_question_says_so_without_inviting_a_request(harness: Harness) -> None:
    calls = await harness.say(CITIZEN, "股票明天会涨吗")
    assert texts_of(calls) == [texts.KB_OUT_OF_SCOPE]
    assert calls[0].buttons() == []


# --- 5. one expected deadline everywhere ----------------------------------------------------------


async def test_the_expected_deadline_reads_the_same_until_dispatch(harness: Harness) -> None:
    h = harness
    done = await file_in_bot(h, content="小区门口的路灯坏了一个多月", place="幸福小区")
    async with h.sessions() as session:
        number = (await session.exec(select(Ticket))).one().number
    assert texts_of(done) == [texts.FILE_DONE.format(number=number, due=EXPECTED_DUE)]
    status = texts_of(await h.say(CITIZEN, f"/status {number}"))[0]
    assert f"办结时限：{EXPECTED_DUE}" in status and "承办单位：待派单" in status
    assert f"时限 {EXPECTED_DUE}" in texts_of(await h.say(CITIZEN, "我的诉求"))[0]
    # Dispatched the next day: the real term replaces the expected one.
    async with h.sessions() as session:
        h.clock.advance(timedelta(days=1))
        ticket = await service.dispatch(session, rules=h.rules, actor=h.org.office, number=number,
                                        unit_id=h.org.unit_ids[0])
        await session.commit()
        assert ticket.status is TicketStatus.DISPATCHED
    status = texts_of(await h.say(CITIZEN, f"/status {number}"))[0]
    assert "办结时限：2026-12-01 10:00\n" in status


async def test_a_receipt_by_sms_promises_the_same_expected_deadline(harness: Harness) -> None:
    h = harness
    async with h.sessions() as session:
        ticket = await intake.create_ticket(
            session,
            rules=h.rules,
            actor=h.org.office,
            data=TicketCreate(
                channel=Channel.PHONE,
                request_type=RequestType.HELP,
                content="井盖丢了",
                contact_phone="13900001111",
            ),
        )
        await session.commit()
        receipt = (await session.exec(select(Outbox).where(Outbox.channel == OutboxChannel.SMS))).one()
    assert receipt.payload["text"] == ttexts.N_TICKET_RECEIVED.format(number=ticket.number, due=EXPECTED_DUE)
