"""Webhook (secret, durable dedupe), polling, odd updates, blocked users, the send queue,
the outbox notifier and the command menus."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.types import BufferedInputFile
from aiohttp import web
from sqlmodel import select

from bot import texts
from bot.callbacks import CallbackAnswerCb, CardAct, DecideCb, DispatchCb, KbFeedbackCb, TicketCb, entry_ref
from bot.commands import install_commands
from bot.models import ProcessedUpdate
from bot.notifier import TelegramNotifier
from bot.runtime import add_webhook_route, make_bot, make_dispatcher
from bot.sender import SendLimits
from tests.bot import fake_telegram as tg
from tests.bot.conftest import SECRET, Harness, texts_of
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.helpers import filed_ticket
from tickets.enums import OutboxChannel, OutboxStatus
from tickets.models import Outbox
from tickets.outbox import DeliveryError

CITIZEN = 5001


async def test_wrong_or_missing_secret_is_refused(harness: Harness) -> None:
    update = tg.message(harness.fake.next_update_id(), CITIZEN, "/start")
    assert (await harness.post(update, secret="wrong")).status == 401
    assert (await harness.post(update, secret=None)).status == 401
    assert harness.fake.calls == []
    async with harness.http.post(harness.url, data=b"{not json", headers={tg_header(): SECRET}) as response:
        assert response.status == 400
    assert (await harness.post({"update_id": "x"})).status == 400
    assert (await harness.post(update)).status == 200
    assert texts_of(harness.fake.calls) == [texts.WELCOME_CITIZEN]


def tg_header() -> str:
    return "X-Telegram-Bot-Api-Secret-Token"


async def test_repeated_update_is_ignored_durably(
    harness: Harness, aiohttp_server: Any, knowledge: Any
) -> None:
    h = harness
    update = tg.message(h.fake.next_update_id(), CITIZEN, "社保卡丢了怎么补办")
    assert (await h.post(update)).status == 200
    assert (await h.post(update)).status == 200
    assert len(h.fake.sent(CITIZEN)) == 1
    # A second instance (or a restart) on the same database ignores it too.
    app = web.Application()
    dp = make_dispatcher(kb=lambda: knowledge, sessions=h.sessions, rules=h.rules)
    add_webhook_route(app, bot=h.bot, dispatcher=dp, secret=SECRET)
    other = await aiohttp_server(app)
    response = await h.fake.push(h.http, str(other.make_url("/telegram/webhook")), update, SECRET)
    assert response.status == 200
    assert len(h.fake.sent(CITIZEN)) == 1
    async with h.sessions() as session:
        rows = (await session.exec(select(ProcessedUpdate))).all()
        assert [(r.bot_id, r.update_id) for r in rows] == [(tg.BOT_ID, update["update_id"])]


async def test_odd_updates_are_answered_politely(harness: Harness) -> None:
    h = harness
    sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
               "is_animated": False, "is_video": False}
    assert texts_of(await h.say(CITIZEN, None, sticker=sticker)) == [texts.STICKER_REPLY]
    voice = {"file_id": "v", "file_unique_id": "v", "duration": 3}
    assert texts_of(await h.say(CITIZEN, None, voice=voice)) == [texts.VOICE_NOT_SUPPORTED]
    assert texts_of(await h.say(CITIZEN, "改一下", edited=True)) == [texts.EDITED_IGNORED]
    doc = {"file_id": "d", "file_unique_id": "d"}
    assert texts_of(await h.say(CITIZEN, None, document=doc)) == [texts.UNSUPPORTED_CONTENT]
    # Group chats: commands get a pointer to the private chat, chatter is ignored.
    assert texts_of(await h.say(CITIZEN, "/start", chat_id=-100123, chat_type="supergroup")) == [
        texts.GROUP_ONLY_PRIVATE]
    assert await h.say(CITIZEN, "大家好", chat_id=-100123, chat_type="supergroup") == []
    # Blocking the bot is logged, not answered.
    assert (await h.post(tg.blocked(h.fake.next_update_id(), CITIZEN))).status == 200
    assert [c for c in h.fake.calls if c.method == "sendMessage" and c.chat_id == CITIZEN][-1].text == \
        texts.UNSUPPORTED_CONTENT
    # A stale or foreign button.
    calls = await h.press(CITIZEN, "v0:something-old")
    assert calls[0].params["text"] == texts.EXPIRED_BUTTON


async def test_user_who_blocked_the_bot_does_not_crash_anything(harness: Harness) -> None:
    h = harness
    h.fake.blocked.add(CITIZEN)
    response = await h.post(tg.message(h.fake.next_update_id(), CITIZEN, "社保卡丢了怎么补办"))
    assert response.status == 200
    assert h.fake.calls == []
    h.fake.rejected.clear()
    assert texts_of(await h.say(CITIZEN + 1, "/start")) == [texts.WELCOME_CITIZEN]


async def test_notifier_delivery_errors(harness: Harness) -> None:
    h = harness
    notifier = TelegramNotifier(h.bot)
    row = Outbox(
        channel=OutboxChannel.TELEGRAM,
        recipient=str(CITIZEN),
        payload={"kind": "x", "text": "您好"},
        dedupe_key="k",
        status=OutboxStatus.PENDING,
    )
    h.fake.blocked.add(CITIZEN)
    with pytest.raises(DeliveryError) as blocked:
        await notifier.send(row)
    assert blocked.value.permanent is True
    h.fake.blocked.clear()
    h.fake.fail("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    with pytest.raises(DeliveryError) as limited:
        await notifier.send(row)
    assert limited.value.permanent is False and limited.value.retry_after == 30
    h.fake.fail("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(DeliveryError) as missing:
        await notifier.send(row)
    assert missing.value.permanent is True
    with pytest.raises(DeliveryError):
        await notifier.send(
            Outbox(
                channel=OutboxChannel.TELEGRAM,
                recipient="13800000000x",
                payload={"text": "x"},
                dedupe_key="k2",
            )
        )
    h.fake.rejected.clear()
    long_row = Outbox(channel=OutboxChannel.TELEGRAM, recipient=str(CITIZEN),
                      payload={"kind": "return_requested", "number": "2026112300001", "text": "长" * 9000},
                      dedupe_key="k3")
    await notifier.send(long_row)
    sent = h.fake.sent(CITIZEN)
    assert [len(c.text) for c in sent] == [4096, 4096, 808]
    assert sent[-1].buttons() == [["同意", "不同意"]] and sent[0].buttons() == []


async def test_send_queue_waits_out_short_429(harness: Harness) -> None:
    h = harness
    h.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    assert (await h.post(tg.message(h.fake.next_update_id(), CITIZEN, "/start"))).status == 200
    assert time.monotonic() - started >= 1.0
    assert texts_of(h.fake.calls) == [texts.WELCOME_CITIZEN]
    assert h.fake.rejected and h.fake.rejected[0].method == "sendMessage"
    h.fake.rejected.clear()


async def test_send_queue_paces_one_chat_and_not_the_others(fake_server: tuple[FakeTelegram, str]) -> None:
    fake, base = fake_server
    bot = make_bot(
        tg.TOKEN, api_base=base, limits=SendLimits(private_rate=10, private_burst=2, global_rate=None)
    )
    try:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(1, f"第{i}条") for i in range(6)),
                             bot.send_message(2, "别的会话"))
        elapsed = time.monotonic() - started
        # Burst of 2, then 10/s: the 6th message of chat 1 leaves ~0.4 s after the first.
        assert 0.35 <= elapsed < 1.5
        assert [c.text for c in fake.sent(1)] == [f"第{i}条" for i in range(6)]
        chat2 = fake.sent(2)[0].at - fake.sent(1)[0].at
        assert chat2 < 0.2
        with pytest.raises(TelegramRetryAfter):
            fake.fail("sendMessage", 429, "Too Many Requests: retry after 60", retry_after=60)
            await bot.send_message(3, "太久了")
    finally:
        await bot.session.close()


async def test_outbox_kinds_get_their_buttons(harness: Harness) -> None:
    h = harness
    notifier = TelegramNotifier(h.bot)
    cases = {
        ("ticket_dispatched", 7): [["接单", "已先行联系"], ["申请退单"]],
        ("rework", 7): [["已先行联系", "申请退单"], ["申请延期", "回复办结"]],
        ("return_requested", None): [["同意", "不同意"]],
        ("extension_requested", None): [["同意", "不同意"]],
        # The 【待审核】 notice: the office reviews from it (issue 13 item 9).
        ("ticket_replied", None): [["审核通过并回访", "退回重办"]],
        ("reply_to_citizen", None): [],
    }
    for (kind, staff_id), buttons in cases.items():
        payload: dict[str, Any] = {"kind": kind, "number": "2026112300001", "text": f"推送 {kind}"}
        if staff_id:
            payload["staff_id"] = staff_id
        await notifier.send(Outbox(channel=OutboxChannel.TELEGRAM, recipient="1001", payload=payload,
                                   dedupe_key=kind))
        assert h.fake.last(1001).buttons() == buttons, kind
    await notifier.send(Outbox(channel=OutboxChannel.TELEGRAM, recipient=str(CITIZEN), dedupe_key="cit",
                               payload={"kind": "ticket_dispatched", "number": "2026112300001",
                                        "text": "已转交", "audience": "citizen"}))
    assert h.fake.last(CITIZEN).buttons() == []


def test_callback_data_stays_within_64_bytes() -> None:
    number = "2026112399999"
    longest = [
        TicketCb(act=CardAct.UNREACHED, number=number, arg="demand_too_high").pack(),
        DecideCb(kind="ret", number=number, approve=True, unit=2_147_483_647).pack(),
        DispatchCb(number=number, unit=2_147_483_647).pack(),
        CallbackAnswerCb(number=number, answers="yyyd").pack(),
        KbFeedbackCb(entry=entry_ref("社保卡-补办-" * 10), solved=False).pack(),
    ]
    assert all(len(d.encode()) <= 64 for d in longest), [(d, len(d.encode())) for d in longest]
    assert entry_ref("sbk-lost") == "sbk-lost"
    assert entry_ref("社保卡-补办-" * 10).startswith("#")


async def test_command_menus_per_audience(harness: Harness) -> None:
    h = harness
    async with h.sessions() as session:
        count = await install_commands(h.bot, session)
    assert count == 4  # the office and three A handlers have Telegram accounts
    calls = h.fake.sent(method="setMyCommands")
    assert calls[0].params["scope"] == {"type": "all_private_chats"}
    assert [c["command"] for c in calls[0].params["commands"]] == [
        "start",
        "status",
        "mine",
        "cancel",
        "help",
        "bind",
    ]
    scoped = {c.params["scope"]["chat_id"]: [x["command"] for x in c.params["commands"]] for c in calls[1:]}
    assert scoped[9001] == ["new", "pending", "duty", "overdue", "callback", "status", "cancel"]
    assert scoped[1001] == ["checkin", "mytickets", "status", "cancel"]


async def test_polling_answers_from_get_updates(fake_server: tuple[FakeTelegram, str], sessions: Any,
                                                rules: Any, org: Any, knowledge: Any) -> None:
    fake, base = fake_server
    fake.enable_polling()
    bot = make_bot(tg.TOKEN, api_base=base)
    dp = make_dispatcher(kb=lambda: knowledge, sessions=sessions, rules=rules)
    assert fake.updates is not None
    fake.updates.put_nowait(tg.message(fake.next_update_id(), CITIZEN, "社保卡丢了怎么补办"))
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False,
                                                polling_timeout=1))
    try:
        for _ in range(100):
            if fake.sent(CITIZEN):
                break
            await asyncio.sleep(0.05)
        assert fake.sent(CITIZEN)[0].text.startswith("【社保卡丢了怎么补办】\n社保卡遗失后，请先挂失")
    finally:
        await dp.stop_polling()
        await task
        await bot.session.close()


async def test_blocked_chat_membership_is_logged(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="bot")
    assert (await harness.post(tg.blocked(harness.fake.next_update_id(), CITIZEN))).status == 200
    assert f"chat {CITIZEN} blocked or removed the bot" in caplog.text


async def test_unexpected_error_is_answered_and_logged(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> Any:
        raise RuntimeError("knowledge base unavailable")

    harness.dp["kb"] = broken
    calls = await harness.say(CITIZEN, "社保卡丢了怎么补办")
    assert texts_of(calls) == [texts.ERROR_GENERIC]
    assert "failed" in caplog.text


async def test_burst_with_duplicates_is_claimed_in_groups(harness: Harness) -> None:
    h = harness
    updates = [tg.message(h.fake.next_update_id(), 6000 + i, "社保卡丢了怎么补办") for i in range(40)]
    burst = updates + updates[:10]  # Telegram re-delivers ten of them while the first copies are in flight
    responses = await asyncio.gather(*(h.post(u) for u in burst))
    assert [r.status for r in responses] == [200] * 50
    assert sorted(c.chat_id for c in h.fake.sent() if c.chat_id is not None) == list(range(6000, 6040))
    async with h.sessions() as session:
        assert len((await session.exec(select(ProcessedUpdate))).all()) == 40


async def test_runtime_polls_without_webhook_url_and_sets_webhook_with_one(
        fake_server: tuple[FakeTelegram, str], sessions: Any, rules: Any, org: Any, knowledge: Any) -> None:
    from bot.runtime import TelegramRuntime
    from wiring import Settings

    fake, base = fake_server
    fake.enable_polling()
    polling = TelegramRuntime(Settings(telegram_token=tg.TOKEN, telegram_api_base=base), kb=lambda: knowledge)
    app = web.Application()
    polling.add_routes(app)
    assert polling.webhook is None and not polling.uses_webhook
    await polling.start(sessions=sessions, rules=rules)
    try:
        assert fake.updates is not None
        fake.updates.put_nowait(tg.message(fake.next_update_id(), CITIZEN, "/start"))
        for _ in range(100):
            if fake.sent(CITIZEN):
                break
            await asyncio.sleep(0.05)
        assert fake.sent(CITIZEN)[0].text == texts.WELCOME_CITIZEN
        assert [c.method for c in fake.calls][:2] == ["setMyCommands", "setMyCommands"]
        assert "deleteWebhook" in [c.method for c in fake.calls]
    finally:
        await polling.stop()

    hooked = TelegramRuntime(Settings(telegram_token=tg.TOKEN, telegram_api_base=base,
                                      telegram_webhook_url="https://hotline.example/tg/hook",
                                      telegram_webhook_secret=SECRET), kb=lambda: knowledge)
    app = web.Application()
    hooked.add_routes(app)
    assert hooked.webhook is not None
    assert [r.resource.canonical for r in app.router.routes()] == ["/tg/hook"]  # type: ignore[union-attr]
    await hooked.start(sessions=sessions, rules=rules)
    await hooked.stop()
    assert fake.webhook_url == "https://hotline.example/tg/hook" and fake.webhook_secret == SECRET
    assert fake.sent(method="setWebhook")[0].params["allowed_updates"] == ["message", "edited_message",
                                                                          "callback_query", "my_chat_member"]


async def test_calls_go_as_json_and_files_as_multipart(harness: Harness, knowledge: Any) -> None:
    h = harness
    calls = await h.say(CITIZEN, "社保卡丢了怎么补办")
    assert [(c.method, c.content_type) for c in calls] == [("sendMessage", "application/json")]
    entry = knowledge.get("sbk-lost")
    assert calls[0].text.startswith(f"【{entry.question}】\n{entry.answer}")
    assert calls[0].params["chat_id"] == str(CITIZEN) and calls[0].buttons() == [["解决了", "没解决，转人工"]]
    await h.bot.send_photo(CITIZEN, BufferedInputFile(b"\x89PNG\r\n\x1a\n", "site.png"), caption="现场照片")
    photo = h.fake.last(CITIZEN, "sendPhoto")
    assert photo.content_type == "multipart/form-data"
    assert photo.params["caption"] == "现场照片"
    attached = photo.params["photo"].removeprefix("attach://")
    assert attached != photo.params["photo"] and photo.params[attached] == "<file>"


class CountingSessions:
    """The session factory, counting the sessions opened (the update claims use its engine)."""

    def __init__(self, factory: Any) -> None:
        self.factory, self.kw, self.opened = factory, factory.kw, 0

    def __call__(self) -> Any:
        self.opened += 1
        return self.factory()


async def test_only_handlers_that_need_the_database_open_a_session(harness: Harness) -> None:
    h = harness
    number = await filed_ticket(h.sessions, h.rules, h.org)
    counting = CountingSessions(h.sessions)
    h.dp["sessions"] = counting
    await h.say(CITIZEN, "/start")  # loads the staff directory once
    counting.opened = 0
    answered = texts_of(await h.say(CITIZEN, "住房公积金怎么提取"))
    assert answered[0].startswith("【住房公积金怎么提取】\n购房、租房")
    assert counting.opened == 0
    assert h.usage.waiting == 1  # the answer is counted in the next batch, not in a session of its own
    status = texts_of(await h.say(CITIZEN, f"/status {number}"))
    assert number in status[0] and "幸福小区3号楼" in status[0]  # the filer sees the ticket in full
    assert counting.opened == 1


async def test_processed_update_ids_are_forgotten_after_two_days(
        fake_server: tuple[FakeTelegram, str], sessions: Any, rules: Any, clock: Any, knowledge: Any) -> None:
    from bot.runtime import TelegramRuntime
    from wiring import Settings

    _, base = fake_server
    runtime = TelegramRuntime(
        Settings(
            telegram_token=tg.TOKEN,
            telegram_api_base=base,
            telegram_webhook_url="https://hotline.example/tg/hook",
        ),
        kb=lambda: knowledge,
    )
    runtime.add_routes(web.Application())
    start = clock.now()
    async with sessions() as session:
        for update_id, age in (
            (1, timedelta(days=3)),
            (2, timedelta(days=2, minutes=1)),
            (3, timedelta(days=1)),
            (4, timedelta(0)),
        ):
            session.add(ProcessedUpdate(bot_id=tg.BOT_ID, update_id=update_id, received_at=start - age))
        await session.commit()
    await runtime.start(sessions=sessions, rules=rules)  # the first pruning runs at start-up
    try:
        for _ in range(100):
            async with sessions() as session:
                left = sorted(r.update_id for r in (await session.exec(select(ProcessedUpdate))).all())
            if left == [3, 4]:
                break
            await asyncio.sleep(0.02)
        assert left == [3, 4]
        clock.advance(timedelta(days=1, hours=1))
        assert await runtime.prune_once() == 1
        assert await runtime.prune_once() == 0
    finally:
        await runtime.stop()
    assert runtime._pruning is not None and runtime._pruning.done()
