"""POST /hooks/upstream with the captured-style fixture payloads (one per event type):
signature checks, replay and idempotency, each event's effect, and our answers going
back up through the outbox to a fake platform on 127.0.0.1, signed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.notifiers import UpstreamNotifier
from integrations.outbox_worker import OutboxWorker
from integrations.signing import DEDUPE, NONCE, SIGNATURE, TIMESTAMP, signature, signed_headers
from tests.conftest import Org
from tests.integrations.conftest import UPSTREAM_SECRET, Api, FakeReceiver, Keys
from tests.integrations.test_api import REPLY
from tickets.clock import ManualClock
from tickets.db import SessionFactory
from tickets.enums import OutboxChannel, OutboxStatus
from tickets.models import Outbox, Ticket

FIXTURES = Path(__file__).parent / "fixtures"
PLATFORM_NUMBER = "SH12345-2026-1123-08841"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"upstream_{name}.json").read_bytes()


async def deliver(api: Api, clock: ManualClock, body: bytes, *, nonce: str | None = None,
                  headers: dict[str, str] | None = None) -> tuple[int, Any]:
    signed = signed_headers(UPSTREAM_SECRET, body, now=clock.now(), nonce=nonce)
    return await api.post("/hooks/upstream", raw=body, headers={**signed, **(headers or {})})


async def count_tickets(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Ticket))).one()


async def test_dispatch_event_files_a_ticket_with_the_platform_number(
    api: Api, keys: Keys, clock: ManualClock, session: AsyncSession
) -> None:
    status, ack = await deliver(api, clock, fixture("dispatch"))
    assert status == 200, ack
    assert (
        ack["event_id"] == "EVT-20261123-000417" and ack["status"] == "received" and ack["duplicate"] is False
    )
    status, ticket = await api.get(f"/api/v1/tickets/{ack['ticket_number']}", key=keys.office)
    assert ticket["channel"] == "upstream" and ticket["external_number"] == PLATFORM_NUMBER
    assert ticket["contact_phone"] == "13912345678" and ticket["category"] == "噪声扰民"
    assert [(e["action"], e["actor_name"]) for e in ticket["events"]] == [("receive", "上级平台")]

    # The platform re-delivers the same event (new nonce, new timestamp): same answer, no second ticket.
    clock.advance(timedelta(minutes=2))
    status, again = await deliver(api, clock, fixture("dispatch"))
    assert status == 200 and again == {**ack, "duplicate": True}
    assert await count_tickets(session) == 1


async def test_same_event_twice_at_once_applies_once(
    api: Api, clock: ManualClock, session: AsyncSession
) -> None:
    results = await asyncio.gather(*(deliver(api, clock, fixture("dispatch")) for _ in range(4)))
    assert [status for status, _ in results] == [200] * 4
    assert sorted(body["duplicate"] for _, body in results) == [False, True, True, True]
    assert len({body["ticket_number"] for _, body in results}) == 1
    assert await count_tickets(session) == 1


async def test_signature_checks(api: Api, clock: ManualClock, session: AsyncSession) -> None:
    body = fixture("dispatch")
    status, out = await api.post("/hooks/upstream", raw=body)
    assert status == 401 and out["error"]["code"] == "signature_missing"

    signed = signed_headers(UPSTREAM_SECRET, body, now=clock.now())
    tampered = body.replace("幸福路88弄".encode(), "幸福路99弄".encode())
    status, out = await api.post("/hooks/upstream", raw=tampered, headers=signed)
    assert (status, out["error"]) == (401, {"code": "signature_invalid", "message": "签名校验失败。"})

    wrong_key = signed_headers("not-the-secret", body, now=clock.now())
    status, out = await api.post("/hooks/upstream", raw=body, headers=wrong_key)
    assert status == 401 and out["error"]["code"] == "signature_invalid"

    for skew in (-301, 301):
        old = signed_headers(UPSTREAM_SECRET, body, now=clock.now() + timedelta(seconds=skew))
        status, out = await api.post("/hooks/upstream", raw=body, headers=old)
        assert status == 401 and out["error"] == {
            "code": "signature_stale", "message": "请求时间戳超出 300 秒的有效期，请校准时钟后重新签名发送。"}
    # Inside the window (4 min 59 s late) it is fine.
    late = signed_headers(UPSTREAM_SECRET, body, now=clock.now() - timedelta(seconds=299))
    status, _ = await api.post("/hooks/upstream", raw=body, headers=late)
    assert status == 200

    # The nonce is covered by the signature: swapping it breaks the signature.
    swapped = {**signed, NONCE: "another-nonce-123"}
    status, out = await api.post("/hooks/upstream", raw=body, headers=swapped)
    assert status == 401 and out["error"]["code"] == "signature_invalid"
    status, out = await api.post("/hooks/upstream", raw=body, headers={**signed, TIMESTAMP: "yesterday"})
    assert status == 401
    assert await count_tickets(session) == 1


async def test_replayed_nonce_is_refused(api: Api, clock: ManualClock) -> None:
    body = fixture("dispatch")
    headers = signed_headers(UPSTREAM_SECRET, body, now=clock.now(), nonce="nonce-0001-abcdef")
    status, _ = await api.post("/hooks/upstream", raw=body, headers=headers)
    assert status == 200
    clock.advance(timedelta(seconds=30))
    status, out = await api.post("/hooks/upstream", raw=body, headers=headers)
    assert (status, out["error"]) == (
        409,
        {"code": "replayed", "message": "该请求（nonce）已处理过，拒绝重放。"},
    )


async def test_unknown_event_type_and_bad_payloads(api: Api, clock: ManualClock) -> None:
    status, out = await deliver(api, clock, fixture("unknown"))
    assert status == 400 and out["error"] == {
        "code": "unknown_event_type",
        "message": "不支持的事件类型“evaluate”。支持的类型：dispatch、recall、urge、supervise、recheck。"}
    status, out = await deliver(api, clock, b'{"event_id": "E1", "event_type": "dispatch"')
    assert status == 400 and out["error"]["code"] == "bad_json"
    missing = json.dumps({"event_id": "E2", "event_type": "dispatch", "data": {"number": "X1"}}).encode()
    status, out = await deliver(api, clock, missing)
    assert (
        status == 422
        and out["error"]["message"] == "请求参数有误：request_type（缺少此项）；content（缺少此项）。"
    )
    recall_unknown = json.dumps(
        {"event_id": "E3", "event_type": "recall", "data": {"number": "NOPE-1"}}
    ).encode()
    status, out = await deliver(api, clock, recall_unknown)
    assert status == 404 and out["error"]["message"] == "未找到上级平台工单号 NOPE-1 对应的工单。"


async def test_second_dispatch_of_an_open_platform_number_is_refused(api: Api, clock: ManualClock) -> None:
    _, ack = await deliver(api, clock, fixture("dispatch"))
    other_event = fixture("dispatch").replace(b"EVT-20261123-000417", b"EVT-20261123-000418")
    status, out = await deliver(api, clock, other_event)
    assert status == 409 and out["error"] == {
        "code": "duplicate_number",
        "message": f"上级平台工单号 {PLATFORM_NUMBER} 已有对应工单 {ack['ticket_number']}，请勿重复派单。"}
    # Once recalled, the platform may dispatch the same number again.
    await deliver(api, clock, fixture("recall"))
    status, out = await deliver(api, clock, other_event)
    assert status == 200 and out["ticket_number"] != ack["ticket_number"]


async def test_hook_is_closed_without_a_secret(aiohttp_client: Any, make_app: Callable[..., Any],
                                               clock: ManualClock) -> None:
    client = await aiohttp_client(make_app(upstream_secret=None))
    body = fixture("dispatch")
    response = await client.post(
        "/hooks/upstream", data=body, headers=signed_headers("x", body, now=clock.now())
    )
    assert response.status == 503
    assert (await response.json())["error"]["code"] == "upstream_disabled"


async def test_urge_supervise_recall_on_a_dispatched_ticket(
    api: Api, keys: Keys, org: Org, clock: ManualClock, session: AsyncSession
) -> None:
    _, ack = await deliver(api, clock, fixture("dispatch"))
    number = ack["ticket_number"]
    await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})

    status, out = await deliver(api, clock, fixture("urge"))
    assert status == 200 and out["status"] == "dispatched" and out["ticket_number"] == number
    status, out = await deliver(api, clock, fixture("supervise"))
    assert status == 200
    status, ticket = await api.get(f"/api/v1/tickets/{number}", key=keys.office)
    assert ticket["supervised"] is True
    assert [e["action"] for e in ticket["events"]] == ["receive", "dispatch", "urge", "supervise"]
    assert ticket["events"][2]["note"] == "市民再次来电催促，请加快办理并先行联系市民。"
    # The unit's handlers were told (A by Telegram, B by SMS).
    kinds = (await session.exec(select(Outbox.payload).order_by(col(Outbox.id)))).all()
    assert sum(1 for p in kinds if p["kind"] == "urged") == 2

    status, out = await deliver(api, clock, fixture("recall"))
    assert status == 200 and out["status"] == "recalled"
    # Urging a recalled ticket is an illegal transition, explained in Chinese.
    again = fixture("urge").replace(b"EVT-20261124-000133", b"EVT-20261124-000134")
    status, out = await deliver(api, clock, again)
    assert (
        status == 409 and out["error"]["message"] == f"工单 {number} 当前状态为“已撤回”，不能进行“催办”操作。"
    )


async def test_recheck_then_our_answers_go_up_signed(api: Api, keys: Keys, org: Org, clock: ManualClock,
                                                     sessions: SessionFactory,
                                                     receiver: Callable[[], Awaitable[FakeReceiver]]) -> None:
    _, ack = await deliver(api, clock, fixture("dispatch"))
    number = ack["ticket_number"]
    path = f"/api/v1/tickets/{number}"
    await api.post(f"{path}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    await api.post(f"{path}/first_contact", key=keys.handler0, body={"reached": True})
    await api.post(f"{path}/reply", key=keys.handler0, body=REPLY)
    await api.post(f"{path}/callback", key=keys.office,
                   body={"contacted": True, "answered": True, "solved": True, "satisfaction": "satisfied"})
    status, out = await deliver(api, clock, fixture("recheck"))
    assert status == 200 and out["status"] == "dispatched"

    platform = await receiver()
    async with aiohttp.ClientSession() as http:
        notifier = UpstreamNotifier(http, url=platform.url + "callback", secret=UPSTREAM_SECRET, clock=clock,
                                    timeout=5)
        worker = OutboxWorker(sessions, {OutboxChannel.UPSTREAM: notifier}, clock=clock)
        assert await worker.run_once() == 3
    bodies = [r.json() for r in platform.received]
    assert [(b["action"], b["status"], b["external_number"]) for b in bodies] == [
        ("first_contact", "accepted", PLATFORM_NUMBER),
        ("reply", "replied", PLATFORM_NUMBER),
        ("close", "closed", PLATFORM_NUMBER),
    ]
    assert bodies[1]["reply"] == REPLY["text"] and bodies[1]["result"] == "solved"
    for request, body in zip(platform.received, bodies, strict=True):
        assert request.headers[DEDUPE] == body["dedupe_key"]
        expected = signature(
            UPSTREAM_SECRET, request.headers[TIMESTAMP], request.headers[NONCE], request.body
        )
        assert request.headers[SIGNATURE] == expected
    async with sessions() as session:
        statuses = (await session.exec(
            select(Outbox.status).where(Outbox.channel == OutboxChannel.UPSTREAM))).all()
    assert statuses == [OutboxStatus.SENT] * 3
