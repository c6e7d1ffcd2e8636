"""Hostile and careless input at the edge (issue 19, items 4, 5, 8, 10), through the real app
on SQLite and PostgreSQL: dates and ids past what the columns hold, bodies nested too deep,
JSON sent as something else, free text past the policy's limits, slow senders, wrong methods.
Each answer is a clear 4xx with a Chinese message; nothing is written; never a 500."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.app import init_app, server_options
from integrations.signing import signed_headers
from tests.conftest import Org
from tests.integrations.conftest import UPSTREAM_SECRET, Api, Keys
from tests.integrations.test_api import COMPLAINT, REPLY, new_ticket
from tickets.clock import ManualClock
from tickets.models import Outbox, Ticket, TicketEvent
from wiring import Settings

MAX_ID = 2**31 - 1


async def count(session: AsyncSession, model: Any) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


# --- item 4: overflows ---------------------------------------------------------------------


async def test_dates_past_the_calendar_are_a_clear_400(api: Api, keys: Keys, org: Org) -> None:
    for name, value in [("received_from", "0001-01-01"), ("received_to", "9999-12-31"),
                        ("received_from", "1969-12-31"), ("received_to", "3000-01-01")]:
        status, body = await api.get("/api/v1/tickets", key=keys.reader, params={name: value})
        assert status == 400, (name, value, body)
        assert body["error"]["message"] == f"查询参数“{name}”有误：须在 1970-01-01 到 2999-12-31 之间"
    status, body = await api.get(f"/api/v1/units/{org.unit_ids[0]}/duty", key=keys.reader,
                                 params={"date": "9999-12-31"})
    assert status == 400 and body["error"]["code"] == "bad_query"
    # The edges of the range are days like any other.
    status, body = await api.get("/api/v1/tickets", key=keys.reader,
                                 params={"received_from": "1970-01-01", "received_to": "2999-12-31"})
    assert status == 200 and body["total"] == 0

    for name, value in [("start_date", "0001-01-01T00:00:00Z"), ("end_date", "9999-12-31T23:59:59+08:00"),
                        ("end_date", "0001-01-01T00:00:00+00:00")]:
        status, body = await api.get("/open311/v2/requests.json", params={name: value})
        assert status == 400, (name, value, body)
        assert body == [
            {"code": 400, "description": f"日期“{value}”超出可查询的范围（1970-01-01 至 2999-12-31）。"}
        ]
    status, body = await api.get("/open311/v2/requests.json", params={"start_date": "1970-01-01T00:00:00Z",
                                                                      "end_date": "2999-12-31T00:00:00Z"})
    assert status == 200 and body == []


async def test_ids_past_the_integer_column_are_refused(api: Api, keys: Keys, org: Org,
                                                       session: AsyncSession) -> None:
    for raw in ["2147483648", "99999999999999999999999", "-1", "0", "1e3", "５"]:
        status, body = await api.get("/api/v1/tickets", key=keys.reader, params={"unit_id": raw})
        assert status == 400 and body["error"]["code"] == "bad_query", (raw, body)
        status, body = await api.get(f"/api/v1/units/{raw}/duty", key=keys.reader)
        assert status == 400 and body["error"]["code"] == "bad_query", (raw, body)
    status, body = await api.get("/api/v1/tickets", key=keys.reader, params={"unit_id": str(MAX_ID)})
    assert status == 200 and body["total"] == 0
    status, body = await api.get(f"/api/v1/units/{MAX_ID}/duty", key=keys.reader)
    assert status == 404

    number = (await new_ticket(api, keys))["number"]
    for action, payload in [("dispatch", {"unit_id": MAX_ID + 1}), ("dispatch", {"unit_id": 2**63}),
                            ("dispatch", {"unit_id": org.unit_ids[0], "co_unit_ids": [2**31]}),
                            ("decide_return", {"approve": True, "new_unit_id": 2**64}),
                            ("request_extension", {"days": 10**30, "reason": "疑难"})]:
        status, body = await api.post(f"/api/v1/tickets/{number}/{action}", key=keys.office, body=payload)
        assert status == 422 and body["error"]["code"] == "invalid", (action, payload, body)
    status, body = await api.post(
        f"/api/v1/tickets/{number}/dispatch", key=keys.office, body={"unit_id": MAX_ID}
    )
    assert status == 404, body  # a well-formed id of no unit
    assert await count(session, TicketEvent) == 1  # the receipt only


def nested(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


async def test_deep_json_is_a_400_on_every_json_endpoint(api: Api, keys: Keys, org: Org, clock: ManualClock,
                                                         session: AsyncSession) -> None:
    number = (await new_ticket(api, keys))["number"]
    deep = nested(50_000)
    for path, key in [
        ("/api/v1/tickets", keys.creator),
        (f"/api/v1/tickets/{number}/dispatch", keys.office),
        ("/api/v1/kb/ask", keys.office),
        ("/api/v1/kb/gaps/entry", keys.office),
        ("/hooks/telephony/calls", keys.telephony),
        ("/open311/v2/requests.json", keys.creator),
    ]:
        status, body = await api.post(path, key=key, raw=deep)
        assert status == 400, (path, status, body)
        message = "请求内容嵌套超过 32 层，请检查格式。"
        assert body == ([{"code": 400, "description": message}] if path.startswith("/open311")
                        else {"error": {"code": "too_deep", "message": message}}), path
    # The signed upstream hook: the signature is right, the body is still refused.
    status, body = await api.post("/hooks/upstream", raw=deep,
                                  headers=signed_headers(UPSTREAM_SECRET, deep, now=clock.now()))
    assert status == 400 and body["error"]["code"] == "too_deep"
    # A list nested deep inside a string is text, not nesting; 32 levels are parsed (and refused
    # by the fields' validation), 33 are not.
    status, body = await api.post("/api/v1/kb/ask", key=keys.office,
                                  body={"text": "[" * 40_000, "declined_entry_ids": []}, check=False)
    assert status == 422 and body["error"]["code"] == "invalid"
    status, body = await api.post("/api/v1/kb/ask", key=keys.office, raw=nested(32))
    assert status == 422 and body["error"]["code"] == "invalid"
    status, body = await api.post("/api/v1/kb/ask", key=keys.office, raw=nested(33))
    assert status == 400 and body["error"]["code"] == "too_deep"
    assert await count(session, Ticket) == 1


# --- item 5: content type and free-text limits ---------------------------------------------------


async def test_json_endpoints_take_application_json_only(api: Api, keys: Keys, org: Org, clock: ManualClock,
                                                         session: AsyncSession) -> None:
    raw = json.dumps(COMPLAINT, ensure_ascii=False).encode()
    for content_type in ["text/plain", "application/x-www-form-urlencoded", None]:
        headers = {"Content-Type": content_type} if content_type else {}
        response = await api.client.post("/api/v1/tickets", data=raw, headers={
            "Authorization": f"Bearer {keys.creator}", **headers})
        body = await response.json()
        assert response.status == 415, (content_type, body)
        assert body["error"]["code"] == "unsupported_media_type"
        assert body["error"]["message"].startswith("请求内容须为 JSON（Content-Type: application/json）")
    assert await count(session, Ticket) == 0

    number = (await new_ticket(api, keys))["number"]
    status, body = await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office,
                                  raw=json.dumps({"unit_id": org.unit_ids[0]}).encode(),
                                  headers={"Content-Type": "text/plain"})
    assert status == 415
    # An action without a body needs no content type.
    await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    response = await api.client.post(f"/api/v1/tickets/{number}/accept",
                                      headers={"Authorization": f"Bearer {keys.handler0}"})
    assert response.status == 200, await response.text()

    upstream = (Path(__file__).parent / "fixtures" / "upstream_dispatch.json").read_bytes()
    status, body = await api.post("/hooks/upstream", raw=upstream, headers={
        **signed_headers(UPSTREAM_SECRET, upstream, now=clock.now()), "Content-Type": "text/plain"})
    assert status == 415
    status, body = await api.post("/open311/v2/requests.json", raw=b"service_code=property",
                                  headers={"Content-Type": "text/plain"})
    assert status == 415 and body[0]["code"] == 415
    assert await count(session, Ticket) == 1


async def test_every_free_text_has_the_policy_limit(api: Api, keys: Keys, org: Org,
                                                    session: AsyncSession) -> None:
    number = (await new_ticket(api, keys))["number"]
    path = f"/api/v1/tickets/{number}"
    # A 900 KB note (300,000 characters) used to be stored and copied into every notification of the urge.
    status, body = await api.post(f"{path}/dispatch", key=keys.office,
                                  body={"unit_id": org.unit_ids[0], "note": "派" * 300_000})
    assert status == 422 and body["error"]["message"] == "“备注”超过 2000 字的上限。"
    status, body = await api.post(f"{path}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    assert status == 200
    before = await count(session, Outbox)
    status, body = await api.post(f"{path}/urge", key=keys.office, body={"note": "催" * 2001})
    assert status == 422 and body["error"]["message"] == "“备注”超过 2000 字的上限。"
    assert await count(session, Outbox) == before
    status, body = await api.post(f"{path}/request_return", key=keys.handler0,
                                  body={"reason": "不属本单位职责", "suggested_unit": "单" * 2001})
    assert status == 422 and body["error"]["message"] == "“备注”超过 2000 字的上限。"
    status, body = await api.post(f"{path}/urge", key=keys.office, body={"note": "催" * 2000})
    assert status == 200
    payloads = (await session.exec(select(Outbox.payload))).all()
    assert max(len(json.dumps(p, ensure_ascii=False)) for p in payloads) < 3000

    await api.post(f"{path}/first_contact", key=keys.handler0, body={"reached": True})
    status, body = await api.post(f"{path}/reply", key=keys.handler0, body={**REPLY, "facts": "实" * 2001})
    assert status == 422 and body["error"]["message"] == "“核实的事实”超过 2000 字的上限。"
    status, body = await api.post(
        "/api/v1/tickets", key=keys.creator, body={**COMPLAINT, "place": "地" * 201}
    )
    assert status == 422 and body["error"]["message"] == "“地点”超过 200 字的上限。"
    status, body = await api.post(
        "/api/v1/tickets", key=keys.creator, body={**COMPLAINT, "contact_name": "名" * 51}
    )
    assert status == 422 and body["error"]["message"] == "“姓名”超过 50 字的上限。"


async def test_an_office_policy_file_sets_the_limits(
    aiohttp_client: Any, settings: Settings, clock: ManualClock, keys: Keys, org: Org, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("limits:\n  note_max_chars: 100\n  place_max_chars: 20\n", encoding="utf-8")
    app = init_app(settings.model_copy(update={"policy_file": policy}), clock=clock)
    api = Api(await aiohttp_client(app))
    status, body = await api.post("/api/v1/tickets", key=keys.creator, body={**COMPLAINT, "place": "地" * 21},
                                  check=False)
    assert status == 422 and body["error"]["message"] == "“地点”超过 20 字的上限。"
    number = (await new_ticket(api, keys))["number"]
    status, body = await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office,
                                  body={"unit_id": org.unit_ids[0], "note": "派" * 101}, check=False)
    assert status == 422 and body["error"]["message"] == "“备注”超过 100 字的上限。"
    # The app's OpenAPI document says the same.
    status, doc = await api.get("/api/v1/openapi.json", check=False)
    schemas = doc["components"]["schemas"]
    assert schemas["NoteIn"]["properties"]["note"]["maxLength"] == 100
    assert schemas["TicketCreateIn"]["properties"]["place"]["maxLength"] == 20
    assert schemas["TicketCreateIn"]["properties"]["content"]["maxLength"] == 5000


# --- item 8: slow clients ---------------------------------------------------------------------------


async def serve(settings: Settings, clock: ManualClock, **overrides: Any) -> tuple[web.AppRunner, int]:
    settings = settings.model_copy(update=overrides)
    runner = web.AppRunner(init_app(settings, clock=clock), **server_options(settings))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]


async def closed_after(reader: asyncio.StreamReader, limit: float) -> tuple[float, bytes]:
    started = time.monotonic()
    data = await asyncio.wait_for(reader.read(), limit)
    return time.monotonic() - started, data


async def test_slow_clients_are_dropped(settings: Settings, clock: ManualClock, keys: Keys) -> None:
    runner, port = await serve(
        settings, clock, http_header_timeout_seconds=1.0, http_body_timeout_seconds=1.0
    )
    try:
        # Headers trickled a line every 0.3 s never complete: the connection is closed.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")

        async def trickle() -> None:
            for i in range(20):
                await asyncio.sleep(0.3)
                writer.write(f"X-Slow-{i}: y\r\n".encode())

        dripping = asyncio.create_task(trickle())
        waited, data = await closed_after(reader, 10)
        dripping.cancel()
        assert data == b"" and waited < 4  # 1 s timeout; the rest is slack for a busy machine
        writer.close()

        # A body announced at 100 bytes, 10 sent: 408 once the body timeout runs out.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer "
            + keys.creator.encode()
            + b'\r\nContent-Length: 100\r\n\r\n{"content"'
        )
        started = time.monotonic()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 408"), head
        assert time.monotonic() - started < 4
        # The answer is sent at once; the connection goes after the short lingering time.
        waited, data = await closed_after(reader, 10)
        assert "请求内容发送超时，请重试。".encode() in data and waited < 4
        writer.close()

        # A prompt client is served as usual.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        _, data = await closed_after(reader, 5)
        assert data.startswith(b"HTTP/1.1 200")
        writer.close()
    finally:
        await runner.cleanup()


# --- item 10: methods --------------------------------------------------------------------------------


async def test_405_says_which_methods_are_allowed(api: Api) -> None:
    response = await api.client.request("DELETE", "/api/v1/tickets")
    assert response.status == 405 and set(response.headers["Allow"].split(",")) == {"GET", "HEAD", "POST"}
    assert (await response.json())["error"]["code"] == "method_not_allowed"
    response = await api.client.request("PUT", "/open311/v2/services.json")
    assert response.status == 405 and set(response.headers["Allow"].split(",")) == {"GET", "HEAD"}
    assert (await response.json()) == [{"code": 405, "description": "该接口不支持 PUT 请求。"}]
