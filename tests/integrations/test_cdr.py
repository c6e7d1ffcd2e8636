"""POST /hooks/telephony/cdr, the 双呼 platform's call records, on SQLite and PostgreSQL: the
upstream hook's signature checks (unsigned, tampered, stale, replayed), oversized and broken
bodies, an unknown ticket number refused with nothing stored (a corrected re-delivery is
accepted), idempotency under simultaneous duplicates, the call in the ticket's audit trail,
and the callee's number in no log line."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.signing import NONCE, signed_headers
from tests.conftest import Org
from tests.integrations.conftest import CDR_SECRET, UPSTREAM_SECRET, Api, Keys
from tests.integrations.test_api import new_ticket
from tickets.clock import ManualClock
from tickets.models import CallRecord

HOOK = "/hooks/telephony/cdr"
CALLEE = "13800138000"  # the complaint's contact phone, as test_api files it


def cdr(number: str, org: Org, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "call_id": "SH-DC-20261123-0001",
        "ticket_number": number,
        "calling_unit_id": org.unit_ids[0],
        "calling_staff": "联络员0A",
        "callee_number": "138 0013 8000",
        "dialed_at": "2026-11-23T10:05:00+08:00",
        "answered_at": "2026-11-23T10:05:09+08:00",
        "hung_up_at": "2026-11-23T10:08:30+08:00",
        "outcome": "answered",
        "recording_ref": "oss://dc-rec/2026/11/23/SH-DC-20261123-0001.mp3",
    }
    values.update(overrides)
    return values


async def deliver(api: Api, clock: ManualClock, body: bytes | dict[str, Any], *, secret: str = CDR_SECRET,
                  nonce: str | None = None, skew: timedelta = timedelta()) -> tuple[int, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    headers = signed_headers(secret, raw, now=clock.now() + skew, nonce=nonce)
    return await api.post(HOOK, raw=raw, headers=headers)


async def stored(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(CallRecord))).one()


@pytest.fixture
async def ticket(api: Api, keys: Keys, org: Org, clock: ManualClock) -> str:
    number: str = (await new_ticket(api, keys))["number"]
    status, _ = await api.post(
        f"/api/v1/tickets/{number}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]}
    )
    assert status == 200
    clock.advance(timedelta(minutes=10))  # 10:10, after the call hung up
    return number


async def test_a_call_record_is_attached_to_the_ticket(api: Api, keys: Keys, org: Org, clock: ManualClock,
                                                       ticket: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        status, ack = await deliver(api, clock, cdr(ticket, org))
    assert status == 201, ack
    assert ack == {"call_id": "SH-DC-20261123-0001", "ticket_number": ticket, "outcome": "answered",
                   "callee_number": "138****8000", "stage": "first_contact", "brief_contact_proven_at": None,
                   "first_contact_proven_at": "2026-11-23T02:05:09Z", "duplicate": False}
    # The callee's number is stored for the rule, and never written to a log line.
    assert caplog.records and CALLEE not in caplog.text and "138 0013 8000" not in caplog.text
    assert "138****8000" in caplog.text

    status, view = await api.get(f"/api/v1/tickets/{ticket}", key=keys.office)
    assert [e["action"] for e in view["events"]] == ["receive", "dispatch", "call_recorded"]
    assert view["events"][2]["action_label"] == "双呼通话记录"
    assert view["events"][2]["note"] == "先行联系通话：区住建局 联络员0A 2026-11-23 10:05拨打，接通"

    # The platform retries (new nonce, later): the first answer again, nothing added.
    clock.advance(timedelta(minutes=3))
    status, again = await deliver(api, clock, cdr(ticket, org))
    assert status == 200 and again == {**ack, "duplicate": True}
    # The same call id with other content is a conflict, not an overwrite.
    status, out = await deliver(api, clock, cdr(ticket, org, calling_staff="联络员0B"))
    assert status == 409 and out["error"]["code"] == "call_conflict"
    status, view = await api.get(f"/api/v1/tickets/{ticket}", key=keys.office)
    assert len(view["events"]) == 3


async def test_the_same_call_posted_at_once_is_stored_once(
    api: Api, org: Org, clock: ManualClock, ticket: str, session: AsyncSession
) -> None:
    results = await asyncio.gather(*(deliver(api, clock, cdr(ticket, org)) for _ in range(5)))
    assert sorted(status for status, _ in results) == [200, 200, 200, 200, 201]
    assert sorted(body["duplicate"] for _, body in results) == [False, True, True, True, True]
    assert await stored(session) == 1


async def test_signature_checks_like_the_upstream_hook(api: Api, org: Org, clock: ManualClock, ticket: str,
                                                       session: AsyncSession) -> None:
    body = json.dumps(cdr(ticket, org)).encode()
    status, out = await api.post(HOOK, raw=body)
    assert status == 401 and out["error"]["code"] == "signature_missing"
    signed = signed_headers(CDR_SECRET, body, now=clock.now())
    tampered = body.replace(b"10:05:00", b"10:04:00")
    status, out = await api.post(HOOK, raw=tampered, headers=signed)
    assert (status, out["error"]) == (401, {"code": "signature_invalid", "message": "签名校验失败。"})
    # The upstream platform's key is not the 双呼 platform's.
    status, out = await deliver(api, clock, body, secret=UPSTREAM_SECRET)
    assert status == 401 and out["error"]["code"] == "signature_invalid"
    for skew in (-301, 301):
        status, out = await deliver(api, clock, body, skew=timedelta(seconds=skew))
        assert status == 401 and out["error"]["code"] == "signature_stale"
    status, out = await api.post(HOOK, raw=body, headers={**signed, NONCE: "another-nonce-123"})
    assert status == 401 and out["error"]["code"] == "signature_invalid"
    assert await stored(session) == 0

    status, _ = await deliver(api, clock, body, nonce="cdr-nonce-0001")
    assert status == 201
    clock.advance(timedelta(seconds=30))
    status, out = await deliver(api, clock, body, nonce="cdr-nonce-0001")
    assert (status, out["error"]) == (
        409,
        {"code": "replayed", "message": "该请求（nonce）已处理过，拒绝重放。"},
    )
    assert await stored(session) == 1


async def test_bad_bodies_and_unknown_ticket_store_nothing(
    api: Api, org: Org, clock: ManualClock, ticket: str, session: AsyncSession
) -> None:
    status, out = await deliver(api, clock, b'{"call_id": "X1", "ticket_number": ')
    assert status == 400 and out["error"]["code"] == "bad_json"
    big = json.dumps(cdr(ticket, org, recording_ref="r" * (1024 * 1024))).encode()
    status, out = await deliver(api, clock, big)
    assert status == 413 and out["error"]["code"] == "body_too_large"
    status, out = await deliver(api, clock, cdr(ticket, org, outcome="hung_up"))
    assert status == 422 and "outcome" in out["error"]["message"]
    status, out = await deliver(api, clock, cdr(ticket, org, dialed_at="2026-11-23T10:05:00"))  # no zone
    assert status == 422 and "dialed_at" in out["error"]["message"]
    status, out = await deliver(api, clock, cdr(ticket, org, outcome="no_answer"))  # yet an answer time
    assert (
        status == 422
        and out["error"]["message"] == "通话结果为“接通”时须有接听时间，其他结果不应有接听时间。"
    )
    status, out = await deliver(api, clock, cdr(ticket, org, calling_unit_id=99999))
    assert status == 404
    assert await stored(session) == 0

    wrong = cdr(ticket, org, ticket_number="2026112399999")
    status, out = await deliver(api, clock, wrong)
    assert (status, out["error"]) == (404, {
        "code": "not_found",
        "message": "未找到工单号 2026112399999 对应的工单，通话记录未保存，请核对工单号后重新推送。"})
    assert await stored(session) == 0
    # Nothing of the refused delivery stands in the way of the corrected one (same call id).
    status, ack = await deliver(api, clock, cdr(ticket, org))
    assert status == 201 and ack["duplicate"] is False


async def test_hook_is_closed_without_a_secret(aiohttp_client: Any, make_app: Callable[..., Any],
                                               clock: ManualClock) -> None:
    client = await aiohttp_client(make_app(cdr_secret=None))
    body = b"{}"
    response = await client.post(HOOK, data=body, headers=signed_headers("x", body, now=clock.now()))
    assert response.status == 503
    assert (await response.json())["error"]["code"] == "cdr_disabled"
