"""REST API /api/v1 through the real app factory, on SQLite and PostgreSQL. Every
response is validated against /api/v1/openapi.json by the Api helper."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.app import init_app
from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tickets.clock import ManualClock
from tickets.enums import OutboxChannel
from tickets.models import Outbox
from wiring import Settings

COMPLAINT = {
    "request_type": "complaint",
    "category": "物业管理",
    "content": "小区电梯坏了一周，物业一直不修，老人上下楼很困难。",
    "place": "幸福小区3号楼",
    "contact_name": "张三",
    "contact_phone": "138 0013 8000",
}
REPLY = {
    "result": "solved",
    "text": "经现场核实，电梯控制板损坏，已督促物业更换，电梯于今日恢复运行。",
    "contact_person": "联络员0A",
    "facts": "电梯控制板损坏",
    "judgement": "诉求合理，已解决",
    "citizen_opinion": "市民表示认可",
    "answered_by": "联络员0A",
    "answered_at": "2026-11-24T15:00:00+08:00",
}


async def new_ticket(api: Api, keys: Keys, **overrides: Any) -> dict[str, Any]:
    status, body = await api.post("/api/v1/tickets", key=keys.creator, body={**COMPLAINT, **overrides})
    assert status == 201, body
    return body


async def test_create_then_read_with_masking_by_role(api: Api, keys: Keys) -> None:
    created = await new_ticket(api, keys)
    assert created["number"].startswith("20261123")
    assert created["status"] == "received" and created["status_label"] == "已受理"
    assert created["channel"] == "web"
    # The creating portal is not the office nor the unit: it sees masked contact data (DOMAIN §8).
    assert created["contact_phone"] == "138****8000" and created["contact_name"] == "张*"

    status, office_view = await api.get(f"/api/v1/tickets/{created['number']}", key=keys.office)
    assert status == 200
    assert office_view["contact_phone"] == "13800138000" and office_view["contact_name"] == "张三"
    assert [e["action"] for e in office_view["events"]] == ["receive"]
    assert "dispatch" in office_view["allowed_actions"]


async def test_whole_workflow_through_the_api(api: Api, keys: Keys, org: Org, clock: ManualClock,
                                              session: AsyncSession) -> None:
    number = (await new_ticket(api, keys))["number"]
    path = f"/api/v1/tickets/{number}"

    status, body = await api.post(f"{path}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    assert status == 200 and body["status"] == "dispatched" and body["main_unit_id"] == org.unit_ids[0]
    assert body["due_at"] is not None

    # Another unit's handler may not touch it; the message says why in Chinese.
    status, body = await api.post(f"{path}/accept", key=keys.handler1)
    assert status == 403
    assert body["error"] == {"code": "forbidden", "message": f"工单 {number} 不属于您所在的单位，不能操作。"}

    clock.advance(timedelta(minutes=30))
    status, body = await api.post(
        f"{path}/first_contact", key=keys.handler0, body={"reached": True, "note": "已联系"}
    )
    assert status == 200 and body["status"] == "accepted"
    # The unit's handler sees the citizen's contact.
    assert body["contact_phone"] == "13800138000"

    status, body = await api.post(f"{path}/reply", key=keys.handler0, body={**REPLY, "facts": ""})
    assert status == 422
    assert body["error"]["message"] == "办结回复缺少必要内容：核实的事实。"

    status, body = await api.post(f"{path}/reply", key=keys.handler0, body=REPLY)
    assert status == 200 and body["status"] == "replied" and body["result"] == "solved"

    status, body = await api.post(f"{path}/callback", key=keys.office, body={
        "contacted": True, "answered": True, "solved": True, "satisfaction": "satisfied"})
    assert status == 200 and body["status"] == "closed" and body["status_label"] == "已办结"

    status, body = await api.get(path, key=keys.office)
    assert [e["action"] for e in body["events"]] == ["receive", "dispatch", "first_contact", "reply", "close"]
    assert body["events"][2]["actor_name"] == "handler0"

    # A closed ticket cannot be replied to again: 409 with the state in the message.
    status, body = await api.post(f"{path}/reply", key=keys.handler0, body=REPLY)
    assert status == 409
    assert body["error"] == {"code": "illegal_transition",
                             "message": f"工单 {number} 当前状态为“已办结”，不能进行“办结回复”操作。"}

    # The service queued the notifications; the API sent nothing itself.
    rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    kinds = [(r.channel, r.payload["kind"]) for r in rows]
    assert (OutboxChannel.SMS, "ticket_received") in kinds
    assert (OutboxChannel.TELEGRAM, "ticket_dispatched") in kinds
    assert (OutboxChannel.SMS, "ticket_closed") in kinds


async def test_every_action_route_reaches_the_service(api: Api, keys: Keys, org: Org) -> None:
    number = (await new_ticket(api, keys))["number"]
    path = f"/api/v1/tickets/{number}"
    steps: list[tuple[str, str, dict[str, Any], str]] = [
        ("brief_contact", keys.office, {"reached": True}, "received"),
        ("supervise", keys.office, {"note": "媒体关注"}, "received"),
        (
            "dispatch",
            keys.office,
            {"unit_id": org.unit_ids[0], "co_unit_ids": [org.unit_ids[1]]},
            "dispatched",
        ),
        ("urge", keys.office, {"note": "请加快"}, "dispatched"),
        ("accept", keys.handler0, {}, "accepted"),
        ("site_visit", keys.handler0, {"findings": "电梯停运"}, "accepted"),
        ("request_extension", keys.handler0, {"days": 3, "reason": "需更换配件"}, "extension_requested"),
        ("decide_extension", keys.office, {"approve": True}, "accepted"),
        (
            "request_return",
            keys.handler0,
            {"reason": "属供电问题", "suggested_unit": "供电分公司"},
            "return_requested",
        ),
        ("decide_return", keys.office, {"approve": False, "note": "属本单位职责"}, "accepted"),
        ("first_contact", keys.handler0, {"reached": True}, "accepted"),
        ("reply", keys.handler0, {**REPLY, "site_findings": "电梯停运"}, "replied"),
        ("rework", keys.office, {"note": "回复与诉求不一致"}, "accepted"),
        ("archive", keys.office, {"note": "多次核实无依据"}, "accepted"),
        ("recall", keys.office, {"note": "上级撤回"}, "recalled"),
    ]
    for action, key, body, state in steps:
        status, out = await api.post(f"{path}/{action}", key=key, body=body)
        assert (status, out.get("status")) == (200, state), (action, out)
    assert out["co_unit_ids"] == [org.unit_ids[1]] and out["supervised"] and out["archived"]

    other = (await new_ticket(api, keys))["number"]
    for action, body in [("direct_answer", {"answer": "已电话解释政策"})]:
        status, out = await api.post(f"/api/v1/tickets/{other}/{action}", key=keys.office, body=body)
        assert (status, out["status"]) == (200, "direct_answered")
    third = (await new_ticket(api, keys))["number"]
    status, out = await api.post(
        f"/api/v1/tickets/{third}/send_back", key=keys.office, body={"reason": "不属本辖区"}
    )
    assert (status, out["status"]) == (200, "sent_back")


async def test_recheck_of_a_closed_ticket(api: Api, keys: Keys, org: Org) -> None:
    number = (await new_ticket(api, keys))["number"]
    path = f"/api/v1/tickets/{number}"
    await api.post(f"{path}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    await api.post(f"{path}/first_contact", key=keys.handler0, body={"reached": True})
    await api.post(f"{path}/reply", key=keys.handler0, body=REPLY)
    await api.post(f"{path}/callback", key=keys.office,
                   body={"contacted": True, "answered": True, "solved": True, "satisfaction": "satisfied"})
    status, out = await api.post(f"{path}/recheck", key=keys.office, body={"note": "市民再次反映"})
    assert (status, out["status"]) == (200, "dispatched")


async def test_list_filters(api: Api, keys: Keys, org: Org, clock: ManualClock) -> None:
    first = (await new_ticket(api, keys))["number"]
    await api.post(f"/api/v1/tickets/{first}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    clock.advance(timedelta(days=1))
    second = (await new_ticket(api, keys, content="路灯不亮，晚上出行不安全。", category="城市管理"))[
        "number"
    ]
    await api.post(f"/api/v1/tickets/{second}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[1]})
    third = (await new_ticket(api, keys, content="咨询社保缴费基数。", request_type="consultation"))["number"]

    async def numbers(**params: str) -> list[str]:
        status, body = await api.get("/api/v1/tickets", key=keys.reader, params=params)
        assert status == 200, body
        assert body["total"] == len(body["items"]) or body["total"] > body["limit"]
        return [t["number"] for t in body["items"]]

    assert await numbers() == [third, second, first]
    assert await numbers(unit_id=str(org.unit_ids[0])) == [first]
    assert await numbers(state="received") == [third]
    assert await numbers(state="dispatched,received") == [third, second, first]
    assert await numbers(received_from="2026-11-24") == [third, second]
    assert await numbers(received_to="2026-11-23") == [first]
    assert await numbers(limit="1", offset="1") == [second]
    assert await numbers(overdue="true") == []
    clock.advance(timedelta(days=14))  # past the 5-working-day completion limit of both
    assert await numbers(overdue="true") == [second, first]
    assert await numbers(overdue="false") == [third]

    status, body = await api.get("/api/v1/tickets", key=keys.reader, params={"state": "lost"})
    assert status == 400 and body["error"]["code"] == "bad_query" and "state" in body["error"]["message"]
    status, body = await api.get("/api/v1/tickets", key=keys.reader, params={"limit": "1000"})
    assert status == 400 and body["error"]["message"] == "查询参数“limit”有误：须在 1 到 200 之间"
    status, body = await api.get("/api/v1/tickets", key=keys.reader, params={"received_from": "昨天"})
    assert status == 400


async def test_units_and_duty(api: Api, keys: Keys, org: Org) -> None:
    status, units = await api.get("/api/v1/units", key=keys.reader)
    assert status == 200
    assert [u["name"] for u in units] == ["区热线办", *org.unit_names]
    assert all(u["duty"]["logged_in"] is False and u["duty"]["deadline"] == "16:00" for u in units)

    number = (await new_ticket(api, keys))["number"]
    await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    await api.post(f"/api/v1/tickets/{number}/accept", key=keys.handler0)
    status, duty = await api.get(f"/api/v1/units/{org.unit_ids[0]}/duty", key=keys.reader)
    assert status == 200 and duty["logged_in"] is True and duty["date"] == "2026-11-23"
    status, duty = await api.get(f"/api/v1/units/{org.unit_ids[0]}/duty", key=keys.reader,
                                 params={"date": "2026-11-20"})
    assert status == 200 and duty["logged_in"] is False
    status, body = await api.get("/api/v1/units/999/duty", key=keys.reader)
    assert status == 404 and body["error"]["code"] == "not_found"


async def test_authentication_and_scopes(api: Api, keys: Keys) -> None:
    status, body = await api.post("/api/v1/tickets", body=COMPLAINT)
    assert status == 401 and body["error"]["code"] == "unauthorized"
    assert "Authorization" in body["error"]["message"]
    for wrong in ["nonsense", "hk_deadbeef0000_x", keys.reader[:-2] + "xx"]:
        status, body = await api.post("/api/v1/tickets", key=wrong, body=COMPLAINT)
        assert (status, body["error"]["message"]) == (401, "API 密钥无效或已停用。")
    status, body = await api.post("/api/v1/tickets", key=keys.reader, body=COMPLAINT)
    assert status == 403 and body["error"] == {"code": "forbidden_scope",
                                               "message": "该 API 密钥没有“tickets:create”权限。"}
    status, body = await api.get("/api/v1/tickets", key=keys.telephony)
    assert status == 403


async def test_bad_bodies(api: Api, keys: Keys) -> None:
    status, body = await api.post("/api/v1/tickets", key=keys.creator, raw='{"content": "漏了括号"'.encode())
    assert status == 400 and body["error"]["code"] == "bad_json"
    status, body = await api.post("/api/v1/tickets", key=keys.creator, raw=b"[1, 2]")
    assert status == 400 and body["error"]["message"] == "请求内容须为 JSON 对象。"
    status, body = await api.post("/api/v1/tickets", key=keys.creator, raw="{\"a\": 1}".encode("utf-16"))
    assert status == 400 and body["error"]["code"] == "bad_json"
    status, body = await api.post("/api/v1/tickets", key=keys.creator, body={"content": "没有类型"})
    assert status == 422 and body["error"]["message"] == "请求参数有误：request_type（缺少此项）。"
    status, body = await api.post("/api/v1/tickets", key=keys.creator, body={**COMPLAINT, "content": "   "})
    assert status == 422 and body["error"]["message"] == "诉求内容不能为空。"
    status, body = await api.post(
        "/api/v1/tickets", key=keys.creator, body={**COMPLAINT, "content": "长" * 5001}
    )
    assert (
        status == 422
        and body["error"]["message"] == "诉求内容共 5001 字，超过 5000 字的上限，请精简后再提交。"
    )
    status, body = await api.post(
        "/api/v1/tickets", key=keys.creator, body={**COMPLAINT, "contact_phone": "12345"}
    )
    assert status == 422 and body["error"]["message"] == "请求参数有误：contact_phone（格式不正确）。"
    status, body = await api.post(
        "/api/v1/tickets", key=keys.creator, body={**COMPLAINT, "channel": "upstream"}
    )
    assert status == 422 and body["error"]["code"] == "invalid"
    # Each action has its own path in the document; an unknown one is no documented path.
    status, body = await api.post("/api/v1/tickets/20261123000001/fly", key=keys.office, body={}, check=False)
    assert status == 404 and body["error"]["code"] == "unknown_action"
    status, body = await api.get("/api/v1/tickets/20990101000001", key=keys.reader)
    assert status == 404 and body["error"]["message"] == "未找到工单 20990101000001，请核对工单号。"

    # Edge texts are stored as given: emoji, traditional characters, exactly 5,000 characters.
    for content in ["楼下烧烤油烟太大😤😤", "社區停車位被佔用，請處理", "長" * 5000]:
        created = await new_ticket(api, keys, content=content)
        status, read = await api.get(f"/api/v1/tickets/{created['number']}", key=keys.office)
        assert read["content"] == content


async def test_oversized_body_is_refused_with_413(api: Api, keys: Keys) -> None:
    big = b'{"content": "' + b"a" * (1024 * 1024) + b'"}'
    status, body = await api.post("/api/v1/tickets", key=keys.creator, raw=big)
    assert status == 413
    assert body["error"] == {
        "code": "body_too_large",
        "message": "请求内容超过 1 MB 的上限，请精简后再提交。",
    }

    async def chunks() -> Any:
        for _ in range(20):
            yield b"a" * 100_000

    # Without a Content-Length the limit is hit while reading.
    response = await api.client.post("/api/v1/tickets", data=chunks(), headers={
        "Authorization": f"Bearer {keys.creator}", "Content-Type": "application/json"})
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "body_too_large"


async def test_rate_limit_per_key(aiohttp_client: AiohttpClient, settings: Settings, clock: ManualClock,
                                  keys: Keys) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(
        init_app(
            settings.model_copy(update={"api_rate_limit": 3, "api_rate_period_seconds": 60}), clock=clock
        )
    )
    api = Api(client)
    for _ in range(3):
        status, _body = await api.get("/api/v1/units", key=keys.reader)
        assert status == 200
    status, body = await api.get("/api/v1/units", key=keys.reader)
    assert status == 429 and body["error"]["code"] == "rate_limited"
    assert body["error"]["message"] == "请求过于频繁，请在 20 秒后重试。"
    # Another key has its own bucket.
    status, _body = await api.get("/api/v1/units", key=keys.office)
    assert status == 200


async def test_openapi_document_is_served_and_valid(api: Api) -> None:
    status, doc = await api.get("/api/v1/openapi.json", check=False)
    assert status == 200 and doc["openapi"] == "3.1.0"
    assert "/hooks/upstream" in doc["paths"] and "/open311/v2/requests.json" in doc["paths"]
    # One path per workflow action, each with its own body.
    body = doc["paths"]["/api/v1/tickets/{number}/dispatch"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/DispatchIn"}
    assert doc["paths"]["/api/v1/tickets/{number}/accept"]["post"]["requestBody"]["required"] is False
    from openapi_core import OpenAPI

    OpenAPI.from_dict(doc)  # raises when the document does not follow the OpenAPI 3.1 schema


async def test_unknown_route_and_method_are_json(api: Api) -> None:
    status, body = await api.get("/api/v1/nothing", check=False)
    assert status == 404 and body["error"]["message"] == "接口不存在，请核对请求地址。"
    status, body = await api.call("DELETE", "/api/v1/tickets", check=False)
    assert status == 405 and body["error"]["message"] == "该接口不支持 DELETE 请求。"
