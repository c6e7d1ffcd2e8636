"""The REST API of 市长信箱 letters and of 政企通, every response checked against the OpenAPI
document: a letter with an image goes through the one door, is handled, published without
personal data (and refused without consent); the register is the office's; an enterprise
with a wrong check character is refused, a right one is routed to its specialist."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tests.tickets.test_mailbox import handle
from tests.tickets.test_photos import phone_photo
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.enums import Channel
from tickets.models import MailboxLetter, Ticket, TicketPhoto

LETTER = {
    "title": "幸福小区门口道路破损",
    "body": "我是王小明，电话13812345678。小区门口道路破损半年，雨天积水，希望尽快修复。",
    "publish_consent": True, "contact_name": "王小明", "contact_phone": "13812345678",
}


async def test_a_letter_through_the_api_is_published_without_personal_data(
    aiohttp_client: AiohttpClient,
    make_app: Any,
    session: AsyncSession,
    rules: Rules,
    org: Org,
    keys: Keys,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(make_app(media_dir=tmp_path / "media"))
    api = Api(client)
    image = base64.b64encode(phone_photo()).decode()
    status, body = await api.post(
        "/api/v1/mailbox/letters",
        key=keys.creator,
        body={**LETTER, "attachments": [{"name": "路面.jpg", "data_base64": image}]},
    )
    assert status == 201, body
    number = body["number"]
    # Monday 10:00 + the mailbox's 10 working days (expected until dispatch).
    assert body["attachments"] == 1 and body["due_at"] == "2026-12-07T02:00:00Z"
    ticket = (await session.exec(select(Ticket).where(Ticket.number == number))).one()
    assert ticket.channel is Channel.MAILBOX
    assert len((await session.exec(select(TicketPhoto).where(TicketPhoto.ticket_id == ticket.id))).all()) == 1
    assert (await session.get(MailboxLetter, ticket.id)).title == "幸福小区门口道路破损"  # type: ignore[union-attr]

    # Publishing waits for the lifecycle: 409 before the letter is closed.
    status, body = await api.post(f"/api/v1/mailbox/letters/{number}/publish", key=keys.office, body={})
    assert status == 409
    await handle(session, rules, clock, org, number)
    status, body = await api.post(f"/api/v1/mailbox/letters/{number}/publish", key=keys.handler0, body={})
    assert status == 403
    status, body = await api.post(f"/api/v1/mailbox/letters/{number}/publish", key=keys.office,
                                  body={"reply": "王小明您好：道路已列入本月维修计划。"})
    assert status == 200, body
    assert body["reply"] == "＊＊您好：道路已列入本月维修计划。"
    assert body["body"] == "我是＊＊，电话＊＊。小区门口道路破损半年，雨天积水，希望尽快修复。"
    status, listed = await api.get("/api/v1/mailbox/published", key=keys.reader)
    assert status == 200 and [p["number"] for p in listed["letters"]] == [number]


async def test_letters_refused_by_the_api_say_why(
    aiohttp_client: AiohttpClient,
    make_app: Any,
    session: AsyncSession,
    rules: Rules,
    org: Org,
    keys: Keys,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(make_app(media_dir=tmp_path / "media"))
    api = Api(client)
    for change, says in [
        ({"body": "字" * 5001}, "5001 字"),
        ({"title": "😀😀"}, "用文字写明事由"),
        (
            {
                "attachments": [
                    {"name": "x.pdf", "data_base64": base64.b64encode(b"%PDF-1.4 not an image").decode()}
                ]
            },
            "不是 JPG、PNG 或 WebP 格式的照片",
        ),
        ({"attachments": [{"data_base64": base64.b64encode(phone_photo()).decode()}] * 4}, "附件最多 3 个"),
    ]:
        status, body = await api.post("/api/v1/mailbox/letters", key=keys.creator, body={**LETTER, **change})
        assert status == 422 and says in body["error"]["message"], (change, body)
    assert (await session.exec(select(MailboxLetter))).all() == []
    # Traditional characters and emoji inside the text are a letter like any other.
    status, body = await api.post(
        "/api/v1/mailbox/letters",
        key=keys.creator,
        body={
            **LETTER,
            "title": "道路破損🚧",
            "body": "小區門口道路破損，雨天積水😢。",
            "publish_consent": False,
        },
    )
    assert status == 201 and body["title"] == "道路破損🚧"
    number = body["number"]
    await handle(session, rules, clock, org, number)
    status, body = await api.post(f"/api/v1/mailbox/letters/{number}/publish", key=keys.office, body={})
    assert status == 409 and "未同意公开" in body["error"]["message"]


async def test_register_and_enterprise_requests_over_the_api(api: Api, session: AsyncSession, org: Org,
                                                             keys: Keys, clock: ManualClock) -> None:
    handler = org.handler(1)
    status, body = await api.post(
        "/api/v1/enterprise/specialists",
        key=keys.handler1,
        body={"unit_id": org.unit_ids[1], "staff_id": handler.id, "policy_area": "稳岗补贴"},
    )
    assert status == 403
    status, body = await api.post(
        "/api/v1/enterprise/specialists",
        key=keys.office,
        body={"unit_id": org.unit_ids[0], "staff_id": handler.id, "policy_area": "稳岗补贴"},
    )
    assert status == 409 and "不是区住建局的联络员" in body["error"]["message"]
    status, body = await api.post(
        "/api/v1/enterprise/specialists",
        key=keys.office,
        body={"unit_id": org.unit_ids[1], "staff_id": handler.id, "policy_area": "稳岗补贴"},
    )
    assert status == 201 and body["name"] == "联络员1A" and body["unit"] == "柳林洲街道"
    specialist_id = body["id"]

    request = {
        "credit_code": "91350100M000100Y44",
        "company_name": "某某科技有限公司",
        "policy_area": "稳岗补贴",
        "content": "想咨询稳岗补贴的申领条件。",
        "contact_phone": "13912345678",
    }
    status, body = await api.post("/api/v1/enterprise/requests", key=keys.creator, body=request)
    assert status == 422 and "校验位" in body["error"]["message"]
    status, body = await api.post("/api/v1/enterprise/requests", key=keys.creator,
                                  body={**request, "credit_code": "91350100M000100Y43"})
    assert status == 201, body
    assert (body["specialist"], body["unit"], body["status"]) == ("联络员1A", "柳林洲街道", "dispatched")
    assert body["due_at"] == "2026-11-26T02:00:00Z"  # Monday 10:00 + 3 working days
    status, body = await api.post("/api/v1/enterprise/requests", key=keys.creator,
                                  body={**request, "credit_code": None, "company_name": ""})
    assert status == 422
    status, listed = await api.get("/api/v1/enterprise/specialists", key=keys.reader)
    assert status == 200 and listed["specialists"][0]["open_requests"] == 1
    status, body = await api.post(
        f"/api/v1/enterprise/specialists/{specialist_id}/deactivate", key=keys.office
    )
    assert status == 200 and body["active"] is False
    status, body = await api.post("/api/v1/enterprise/specialists/99999/deactivate", key=keys.office)
    assert status == 404
    clock.set(shanghai(2026, 11, 23, 11, 0))
    status, body = await api.post("/api/v1/enterprise/requests", key=keys.creator,
                                  body={**request, "credit_code": "9144030071526726XG"})
    assert status == 201 and body["specialist"] is None and body["status"] == "received"
