"""Issue 19, items 1, 3 and 6, reproduced on SQLite and PostgreSQL: what anonymous Open311
callers and strangers to a ticket may see, control characters at the edge of every HTTP
channel, and ownership checked before any deadline."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tests.integrations.test_api import COMPLAINT
from tests.integrations.test_open311 import FORM, post_form
from tests.integrations.test_upstream import deliver, fixture
from tickets.clock import ManualClock
from tickets.models import Ticket

O311 = "/open311/v2"
SPELLINGS = ["138 1234 5679", "138-1234-5670", "+8613812345671", "8613812345672", "１３８１２３４５６７３",
             "021-62345678", "(0755)12345678", "010-62345678转801"]


async def file(api: Api, keys: Keys, **overrides: Any) -> str:
    status, body = await api.post("/api/v1/tickets", key=keys.creator, body={**COMPLAINT, **overrides})
    assert status == 201, body
    return str(body["number"])


# --- item 1: anonymous Open311 -------------------------------------------------------------


async def test_open311_hides_confidential_requests_from_everyone(api: Api, keys: Keys) -> None:
    public = await file(api, keys)
    secret = await file(api, keys, confidential=True, content="举报邻居违建，请为我保密。")
    status, listed = await api.get(f"{O311}/requests.json", check=False)
    assert status == 200 and [r["service_request_id"] for r in listed] == [public]
    status, by_id = await api.get(
        f"{O311}/requests.json", params={"service_request_id": f"{public},{secret}"}, check=False
    )
    assert [r["service_request_id"] for r in by_id] == [public]
    for path in (f"{O311}/requests/{secret}.json", f"{O311}/tokens/{secret}.json"):
        status, error = await api.get(path, check=False)
        assert (
            status == 404 and error[0]["code"] == 404 and "举报" not in json.dumps(error, ensure_ascii=False)
        )


async def test_open311_masks_every_spelling_in_description_and_address(api: Api, keys: Keys) -> None:
    content = "；".join(f"电话{p}" for p in SPELLINGS)
    number = await file(api, keys, content=content, place="幸福小区3栋2单元1201室 电话13812345678")
    status, [request] = await api.get(f"{O311}/requests/{number}.json", check=False)
    assert status == 200
    assert request["description"] == ("电话138****5679；电话138****5670；电话138****5671；电话138****5672；"
                                       "电话138****5673；电话021-****5678；电话0755-****5678；电话010-****5678转801")
    assert request["address"] == "幸福小区3栋*单元****室 电话138****5678"
    status, listed = await api.get(f"{O311}/requests.json", check=False)
    assert listed == [request]


# --- item 6: another unit's handler ------------------------------------------------------------


async def test_another_units_handler_sees_place_and_words_masked(api: Api, keys: Keys, org: Org) -> None:
    number = await file(api, keys, place="幸福小区3栋2单元1201室，电话021-62345678",
                        content="我是张三，楼上漏水，请联系我 138-1234-5670")
    await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    status, stranger = await api.get(f"/api/v1/tickets/{number}", key=keys.handler1)
    assert status == 200
    assert stranger["place"] == "幸福小区3栋*单元****室，电话021-****5678"
    # The citizen's own name in their words too (COMPLAINT's contact is 张三).
    assert stranger["content"] == "我是张*，楼上漏水，请联系我 138****5670"
    assert (stranger["contact_name"], stranger["contact_phone"]) == ("张*", "138****8000")
    status, listed = await api.get("/api/v1/tickets", key=keys.handler1)
    assert [t["place"] for t in listed["items"]] == [stranger["place"]]
    status, owner = await api.get(f"/api/v1/tickets/{number}", key=keys.handler0)
    assert owner["place"] == "幸福小区3栋2单元1201室，电话021-62345678"
    assert owner["content"] == "我是张三，楼上漏水，请联系我 138-1234-5670"


@pytest.mark.parametrize(("action", "body"), [
    ("request_return", {"reason": "不属本单位职责", "suggested_unit": "供电分公司"}),
    ("request_extension", {"days": 3, "reason": "需更换配件"}),
])
async def test_ownership_is_checked_before_the_window(api: Api, keys: Keys, org: Org, clock: ManualClock,
                                                      action: str, body: dict[str, Any]) -> None:
    number = await file(api, keys)
    await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    await api.post(f"/api/v1/tickets/{number}/accept", key=keys.handler0)
    clock.advance(timedelta(days=10))  # both windows long closed
    status, error = await api.post(f"/api/v1/tickets/{number}/{action}", key=keys.handler1, body=body)
    assert status == 403, error
    assert error["error"] == {"code": "forbidden", "message": f"工单 {number} 不属于您所在的单位，不能操作。"}
    # The owner is told about the window, as before.
    status, error = await api.post(f"/api/v1/tickets/{number}/{action}", key=keys.handler0, body=body)
    assert status == 409 and error["error"]["code"] == "window_closed"


async def test_a_stranger_learns_nothing_about_the_state(api: Api, keys: Keys, org: Org) -> None:
    number = await file(api, keys)
    await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office, body={"unit_id": org.unit_ids[0]})
    # "reply" is illegal in the dispatched state: the owner hears it, a stranger only hears "not yours".
    for action in ("reply", "site_visit", "accept"):
        status, error = await api.post(f"/api/v1/tickets/{number}/{action}", key=keys.handler1,
                                       body={"findings": "x"} if action == "site_visit" else
                                       {"result": "solved"} if action == "reply" else None)
        assert status == 403 and error["error"]["code"] == "forbidden", (action, error)


# --- item 3: control characters ---------------------------------------------------------------


async def count(session: AsyncSession) -> int:
    return int((await session.exec(select(func.count()).select_from(Ticket))).one())


@pytest.mark.parametrize("field", ["content", "place", "contact_name", "category", "external_number"])
async def test_nul_in_any_text_field_is_a_clear_400_not_a_500(
    api: Api, keys: Keys, session: AsyncSession, caplog: pytest.LogCaptureFixture, field: str
) -> None:
    caplog.set_level(logging.INFO)
    status, error = await api.post("/api/v1/tickets", key=keys.creator,
                                   body={**COMPLAINT, field: "幸福\x00小区", "contact_phone": "13812345678"})
    assert status == 400, error
    assert error["error"] == {
        "code": "control_character",
        "message": f"请求内容“{field}”含有不可见的控制字符（如 \\u0000），请删除后重新提交。",
    }
    assert await count(session) == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "13812345678" not in caplog.text


async def test_control_characters_in_path_query_nested_bodies_and_every_http_channel(
        api: Api, keys: Keys, org: Org, clock: ManualClock, session: AsyncSession,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    number = await file(api, keys)
    for path, params in [
        (f"/api/v1/tickets/{number}%00", None),
        ("/api/v1/tickets", {"state": "received\x00"}),
        ("/api/v1/tickets", {"unit_id\x01": "1"}),
        (f"{O311}/requests/{number}%00.json", None),
        (f"{O311}/requests.json", {"service_request_id": "\x00"}),
    ]:
        status, error = await api.get(path, key=keys.office, params=params, check=False)
        assert status == 400, (path, params, error)
        message = error[0]["description"] if path.startswith(O311) else error["error"]["message"]
        assert "控制字符" in message
    # A workflow note, nested in a list, and the key of an object.
    status, error = await api.post(f"/api/v1/tickets/{number}/dispatch", key=keys.office,
                                   body={"unit_id": org.unit_ids[0], "note": "请\x00尽快"})
    assert status == 400 and "“note”" in error["error"]["message"]
    status, error = await api.post(
        "/api/v1/kb/ask", key=keys.office, body={"text": "社保", "declined_entry_ids": [], "x\x07": 1}
    )
    assert status == 400
    # Open311 form posts and the signed upstream hook.
    status, error = await post_form(
        api.client, {**FORM, "description": "电梯\x00坏了", "api_key": keys.creator}
    )
    assert status == 400 and "description" in error[0]["description"]
    body = fixture("dispatch").replace("幸福路88弄".encode(), "幸福路\\u000088弄".encode())
    status, error = await deliver(api, clock, body)
    assert status == 400 and error["error"]["code"] == "control_character"
    # Tabs and line breaks are ordinary text.
    number2 = await file(api, keys, content="第一行\n第二行\t（完）")
    status, ticket = await api.get(f"/api/v1/tickets/{number2}", key=keys.office)
    assert ticket["content"] == "第一行\n第二行\t（完）"
    assert await count(session) == 2
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_failed_statement_never_shows_its_parameters(engine: AsyncEngine, clock: ManualClock,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    row = {"id": 7, "name": "张三", "phone": "13894195678", "at": clock.now()}
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as connection:
            for _ in range(2):  # the same primary key twice
                await connection.execute(text("INSERT INTO citizen (id, name, phone, created_at) "
                                              "VALUES (:id, :name, :phone, :at)"), row)
    # The error (which the errors middleware logs with its traceback) names the statement only.
    assert "INSERT INTO citizen" in str(caught.value)
    assert "13894195678" not in str(caught.value) and "张三" not in str(caught.value)
    assert "hide_parameters=True" in str(caught.value)
