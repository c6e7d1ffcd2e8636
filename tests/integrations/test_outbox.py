"""The outbox worker and the notifiers against fakes served by aiohttp on 127.0.0.1:
retries with backoff, a crash between send and mark, dead letters, several workers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import col, select

from integrations.notifiers import SmsNotifier, WeComNotifier
from integrations.outbox_worker import OutboxWorker, WorkerConfig, backoff_delay
from integrations.signing import DEDUPE
from tests.integrations.conftest import Api, FakeReceiver, Keys
from tests.integrations.test_api import COMPLAINT
from tickets.clock import ManualClock
from tickets.db import SessionFactory
from tickets.enums import OutboxChannel, OutboxStatus
from tickets.models import Outbox
from tickets.outbox import enqueue

Start = Callable[[], Awaitable[FakeReceiver]]
CONFIG = WorkerConfig(max_attempts=4, base_delay=10, max_delay=100, lease=60, batch_size=50, poll=0.01)


def test_backoff_is_exponential_with_equal_jitter() -> None:
    low = [backoff_delay(n, base=10, cap=100, rand=lambda: 0.0) for n in range(1, 7)]
    high = [backoff_delay(n, base=10, cap=100, rand=lambda: 1.0) for n in range(1, 7)]
    assert low == [5, 10, 20, 40, 50, 50]
    assert high == [10, 20, 40, 80, 100, 100]
    assert backoff_delay(3, base=10, cap=100, rand=lambda: 0.5) == 30


async def add_message(
    sessions: SessionFactory,
    clock: ManualClock,
    *,
    channel: OutboxChannel = OutboxChannel.SMS,
    recipient: str = "13800138000",
    key: str = "T1:1:sms",
    kind: str = "ticket_closed",
    text: str = "您的诉求（工单号 2026112300001）已办结。",
) -> None:
    async with sessions() as session, session.begin():
        await enqueue(session, channel=channel, recipient=recipient, dedupe_key=key, now=clock.now(),
                      payload={"kind": kind, "number": "2026112300001", "text": text})


async def rows(sessions: SessionFactory) -> list[Outbox]:
    async with sessions() as session:
        return list((await session.exec(select(Outbox).order_by(col(Outbox.id)))).all())


def sms(http: aiohttp.ClientSession, fake: FakeReceiver) -> SmsNotifier:
    return SmsNotifier(
        http,
        url=fake.url + "sms/send",
        token="gw-token",
        templates={"ticket_closed": "T1002"},
        default_template="T1000",
        timeout=5,
    )


async def test_fails_twice_then_delivers_exactly_once(sessions: SessionFactory, clock: ManualClock,
                                                      receiver: Start) -> None:
    fake = await receiver()
    fake.script = [(500, {"msg": "busy"}), (503, {"msg": "busy"})]
    fake.default = (200, {"code": 0})
    await add_message(sessions, clock)
    async with aiohttp.ClientSession() as http:
        worker = OutboxWorker(sessions, {OutboxChannel.SMS: sms(http, fake)}, clock=clock, config=CONFIG,
                              rand=lambda: 1.0)
        assert await worker.run_once() == 1
        [row] = await rows(sessions)
        assert (row.status, row.attempts, row.last_error) == (
            OutboxStatus.PENDING,
            1,
            'sms: HTTP 500 {"msg": "busy"}',
        )
        assert row.next_attempt_at == clock.now() + timedelta(seconds=10)
        assert await worker.run_once() == 0  # not due yet
        clock.advance(timedelta(seconds=10))
        assert await worker.run_once() == 1
        [row] = await rows(sessions)
        assert row.next_attempt_at == clock.now() + timedelta(seconds=20)  # doubled
        clock.advance(timedelta(seconds=20))
        assert await worker.run_once() == 1
        clock.advance(timedelta(hours=1))
        assert await worker.run_once() == 0
    [row] = await rows(sessions)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (OutboxStatus.SENT, 3, clock.now()
                                                                       - timedelta(hours=1), None)
    assert len(fake.received) == 3
    assert {r.headers[DEDUPE] for r in fake.received} == {"T1:1:sms"}
    # Exactly one of the three requests was accepted by the gateway.
    body = fake.received[-1].json()
    assert body == {"phone": "13800138000", "template_id": "T1002", "dedupe_key": "T1:1:sms",
                    "params": {"number": "2026112300001", "text": "您的诉求（工单号 2026112300001）已办结。"}}
    assert fake.received[-1].headers["Authorization"] == "Bearer gw-token"


class DiesAfterSending:
    """Sends for real; call number `on_call` never returns: the process is 'killed' after that
    message reached the gateway and before it could be marked."""

    channel = OutboxChannel.SMS

    def __init__(self, inner: SmsNotifier, on_call: int = 1) -> None:
        self.inner = inner
        self.on_call = on_call
        self.calls = 0
        self.sent = asyncio.Event()

    async def send(self, message: Outbox) -> None:
        self.calls += 1
        await self.inner.send(message)
        if self.calls == self.on_call:
            self.sent.set()
            await asyncio.Event().wait()


async def die_mid_round(sessions: SessionFactory, clock: ManualClock, dying: DiesAfterSending) -> None:
    """A worker's round that 'dies' (is cancelled) once `dying` has its message at the gateway."""
    worker = OutboxWorker(sessions, {OutboxChannel.SMS: dying}, clock=clock, config=CONFIG)
    task = asyncio.create_task(worker.run_once())
    await asyncio.wait_for(dying.sent.wait(), timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_worker_killed_between_send_and_mark_resends_with_same_key(
        sessions: SessionFactory, clock: ManualClock, receiver: Start) -> None:
    fake = await receiver()
    await add_message(sessions, clock)
    async with aiohttp.ClientSession() as http:
        dying = DiesAfterSending(sms(http, fake))
        await die_mid_round(sessions, clock, dying)
        [row] = await rows(sessions)
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)  # sent, never marked

        second = OutboxWorker(sessions, {OutboxChannel.SMS: sms(http, fake)}, clock=clock, config=CONFIG)
        assert await second.run_once() == 0  # still leased to the dead worker
        clock.advance(timedelta(seconds=CONFIG.lease))
        assert await second.run_once() == 1
    [row] = await rows(sessions)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert [r.headers[DEDUPE] for r in fake.received] == ["T1:1:sms", "T1:1:sms"]
    assert fake.received[0].body == fake.received[1].body


async def test_a_worker_dying_mid_batch_repeats_only_the_message_in_flight(
        sessions: SessionFactory, clock: ManualClock, receiver: Start) -> None:
    fake = await receiver()
    for i in range(5):
        await add_message(sessions, clock, key=f"T{i}:1:sms")
    async with aiohttp.ClientSession() as http:
        dying = DiesAfterSending(sms(http, fake), on_call=3)
        await die_mid_round(sessions, clock, dying)
        # Each delivered message was marked at once; the one in flight is not; two were never sent.
        assert [r.status for r in await rows(sessions)] == [OutboxStatus.SENT] * 2 + [
            OutboxStatus.PENDING
        ] * 3
        assert len(fake.received) == 3

        clock.advance(timedelta(seconds=CONFIG.lease))
        second = OutboxWorker(sessions, {OutboxChannel.SMS: sms(http, fake)}, clock=clock, config=CONFIG)
        assert await second.run_once() == 3
    assert [r.status for r in await rows(sessions)] == [OutboxStatus.SENT] * 5
    keys = [r.headers[DEDUPE] for r in fake.received]
    # One repeat: the message that was at the gateway when the worker died, with its dedupe key.
    assert sorted(keys) == sorted([f"T{i}:1:sms" for i in range(5)] + ["T2:1:sms"])


async def test_dead_letter_after_max_attempts(
    sessions: SessionFactory, clock: ManualClock, receiver: Start
) -> None:
    fake = await receiver()
    fake.default = (502, {"msg": "bad gateway"})
    await add_message(sessions, clock)
    async with aiohttp.ClientSession() as http:
        worker = OutboxWorker(sessions, {OutboxChannel.SMS: sms(http, fake)}, clock=clock, config=CONFIG)
        for _ in range(10):
            await worker.run_once()
            clock.advance(timedelta(seconds=CONFIG.max_delay))
    [row] = await rows(sessions)
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, CONFIG.max_attempts)
    assert row.last_error == 'sms: HTTP 502 {"msg": "bad gateway"}'
    assert len(fake.received) == CONFIG.max_attempts


async def test_permanent_errors_are_dead_at_once_and_retry_after_is_kept(
        sessions: SessionFactory, clock: ManualClock, receiver: Start) -> None:
    fake = await receiver()
    fake.script = [(400, {"msg": "invalid phone"}), (429, {"msg": "slow down"})]
    fake.headers = {"Retry-After": "600"}
    await add_message(sessions, clock, key="bad")
    await add_message(sessions, clock, key="busy")
    async with aiohttp.ClientSession() as http:
        worker = OutboxWorker(sessions, {OutboxChannel.SMS: sms(http, fake)}, clock=clock,
                              config=WorkerConfig(concurrency=1, base_delay=10, max_delay=100))
        assert await worker.run_once() == 2
    bad, busy = await rows(sessions)
    assert (bad.status, bad.attempts, bad.last_error) == (
        OutboxStatus.DEAD,
        1,
        'sms: HTTP 400 {"msg": "invalid phone"}',
    )
    assert busy.status is OutboxStatus.PENDING
    assert busy.next_attempt_at == clock.now() + timedelta(seconds=600)


async def test_wecom_markdown_masks_phones_and_reads_errcodes(sessions: SessionFactory, clock: ManualClock,
                                                              receiver: Start) -> None:
    fake = await receiver()
    fake.script = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
                   (200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    await add_message(sessions, clock, channel=OutboxChannel.WECOM, recipient="robot-key-1", key="w1",
                      kind="duty_login_missing", text="柳林洲街道今日未登录值守，联系人电话 13800001001。")
    await add_message(sessions, clock, channel=OutboxChannel.WECOM, recipient="robot-key-2", key="w2")
    async with aiohttp.ClientSession() as http:
        notifier = WeComNotifier(http, base_url=fake.url + "cgi-bin/webhook/send", timeout=5)
        worker = OutboxWorker(sessions, {OutboxChannel.WECOM: notifier}, clock=clock,
                              config=WorkerConfig(concurrency=1))
        assert await worker.run_once() == 2
    first, second = await rows(sessions)
    assert (
        first.status is OutboxStatus.PENDING
        and first.last_error == "wecom: errcode 45009 api freq out of limit"
    )
    assert (
        second.status is OutboxStatus.DEAD and second.last_error == "wecom: errcode 93000 invalid webhook url"
    )
    assert fake.received[0].path == "/cgi-bin/webhook/send?key=robot-key-1"
    assert fake.received[0].json() == {
        "msgtype": "markdown",
        "markdown": {
            "content": (
                "**12345热线通知**\n> 工单号：2026112300001\n"
                "柳林洲街道今日未登录值守，联系人电话 138****1001。"
            )
        },
    }


async def test_channels_without_a_notifier_wait_in_the_outbox(sessions: SessionFactory, clock: ManualClock,
                                                              receiver: Start) -> None:
    fake = await receiver()
    await add_message(sessions, clock, channel=OutboxChannel.TELEGRAM, recipient="1011", key="tg")
    await add_message(sessions, clock, key="sms")
    async with aiohttp.ClientSession() as http:
        worker = OutboxWorker(sessions, {OutboxChannel.SMS: sms(http, fake)}, clock=clock, config=CONFIG)
        assert await worker.run_once() == 1
    telegram, text = await rows(sessions)
    assert (telegram.status, telegram.attempts) == (OutboxStatus.PENDING, 0)
    assert text.status is OutboxStatus.SENT


async def test_two_workers_share_the_rows_without_double_sending(sessions: SessionFactory, clock: ManualClock,
                                                                 receiver: Start) -> None:
    fake = await receiver()
    for i in range(60):
        await add_message(sessions, clock, key=f"m{i}")
    async with aiohttp.ClientSession() as http:
        workers = [OutboxWorker(sessions, {OutboxChannel.SMS: sms(http, fake)}, clock=clock,
                                config=WorkerConfig(batch_size=7, poll=0.0)) for _ in range(2)]

        async def drain(worker: OutboxWorker) -> int:
            total = 0
            for _ in range(30):
                total += await worker.run_once()
            return total

        counts = await asyncio.gather(*(drain(w) for w in workers))
    assert sum(counts) == 60
    keys = [r.headers[DEDUPE] for r in fake.received]
    assert sorted(keys) == sorted(f"m{i}" for i in range(60))  # each exactly once
    assert {r.status for r in await rows(sessions)} == {OutboxStatus.SENT}


async def test_the_app_runs_the_worker_in_the_background(aiohttp_client: Any, make_app: Callable[..., Any],
                                                         keys: Keys, receiver: Start) -> None:
    fake = await receiver()
    fake.default = (200, {"code": 0})
    app = make_app(outbox_enabled=True, outbox_poll_seconds=0.02, sms_gateway_url=fake.url + "sms")
    api = Api(await aiohttp_client(app))
    status, ticket = await api.post("/api/v1/tickets", key=keys.creator, body=COMPLAINT)
    assert status == 201
    for _ in range(250):
        if fake.received:
            break
        await asyncio.sleep(0.02)
    [message] = fake.received
    assert message.json()["phone"] == "13800138000"
    # The same expected deadline as the bot's receipt and /status (tickets.deadlines.describe_due).
    assert re.fullmatch(
        f"您的诉求已受理，工单号 {ticket['number']}，办结时限：\\d{{4}}-\\d\\d-\\d\\d \\d\\d:\\d\\d 前"
        "（预计，派单后正式起算）。我们将尽快办理。",
        message.json()["params"]["text"],
    )
    assert message.json()["template_id"] == "HOTLINE_NOTICE"


def test_worker_config_reads_settings() -> None:
    from wiring import Settings

    config = WorkerConfig.from_settings(Settings(outbox_max_attempts=5, outbox_lease_seconds=90))
    assert (config.max_attempts, config.lease, config.base_delay) == (5, 90, 30.0)



ROOT = str(Path(__file__).resolve().parents[2])
KILLED_WORKER = """
import asyncio, sys
import aiohttp
from integrations.notifiers import SmsNotifier
from integrations.outbox_worker import OutboxWorker, WorkerConfig
from tickets.clock import SystemClock
from tickets.db import create_engine, session_factory
from tickets.enums import OutboxChannel

async def main(url, gateway):
    engine = create_engine(url)
    async with aiohttp.ClientSession() as http:
        notifier = SmsNotifier(http, url=gateway, token=None, templates={}, default_template="T1", timeout=60)
        worker = OutboxWorker(session_factory(engine), {OutboxChannel.SMS: notifier}, clock=SystemClock(),
                              config=WorkerConfig(lease=1.0))
        await worker.run_once()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_worker_process_killed_mid_delivery_loses_nothing(engine: Any, sessions: SessionFactory,
                                                                receiver: Start) -> None:
    """A real worker process is SIGKILLed while its request is at the gateway: after the
    lease, another worker sends the message again with the same dedupe key."""
    import sys

    from tickets.clock import SystemClock

    clock = SystemClock()
    fake = await receiver()
    hang = fake.hold_first = asyncio.Event()
    async with sessions() as session, session.begin():
        await enqueue(session, channel=OutboxChannel.SMS, recipient="13800138000", dedupe_key="crash-1",
                      now=clock.now(), payload={"kind": "ticket_closed", "number": "N1", "text": "已办结"})
    url = engine.url.render_as_string(hide_password=False)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", KILLED_WORKER, url, fake.url + "sms",
        cwd=ROOT)
    try:
        for _ in range(600):  # up to 30 s for the child to start and send
            if fake.received:
                break
            await asyncio.sleep(0.05)
        assert len(fake.received) == 1
        process.kill()
        await process.wait()
    finally:
        hang.set()
        if process.returncode is None:
            process.kill()
            await process.wait()
    [row] = await rows(sessions)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    await asyncio.sleep(1.1)  # the dead worker's lease runs out
    async with aiohttp.ClientSession() as http:
        worker = OutboxWorker(sessions, {OutboxChannel.SMS: sms(http, fake)}, clock=clock, config=CONFIG)
        assert await worker.run_once() == 1
    [row] = await rows(sessions)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert [r.headers[DEDUPE] for r in fake.received] == ["crash-1", "crash-1"]
