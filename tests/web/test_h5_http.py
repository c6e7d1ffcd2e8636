"""The citizens' H5 pages over real HTTP (the real app on the parametrised database): the
chat's three outcomes, filing with a verified phone and a photo, the refusals that write
nothing, tracking by number and phone digits, rating, and the rate limits (429)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from PIL import Image
from pytest_aiohttp import AiohttpClient
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import service as kb_service
from knowledge_base.models import KnowledgeFeedback, KnowledgeHit, KnowledgeMiss
from tests.conftest import Org
from tests.tickets.test_photos import phone_photo
from tickets.clock import ManualClock
from tickets.enums import Channel, OutboxChannel, TicketStatus
from tickets.models import Outbox, Ticket, TicketPhoto

PHONE = "13812345678"


async def csrf(client: TestClient[Any, Any], path: str = "/h5/") -> str:
    response = await client.get(path)
    html = await response.text()
    found = re.search(r'name="_csrf" value="([0-9a-f]+)"', html)
    assert found, html[:500]
    return found.group(1)


async def count(session: AsyncSession, model: Any) -> int:
    return int((await session.exec(select(func.count()).select_from(model))).one())


async def last_code(session: AsyncSession) -> str:
    row = (await session.exec(select(Outbox).where(Outbox.channel == OutboxChannel.SMS)
                              .order_by(col(Outbox.id).desc()))).first()
    assert row is not None
    found = re.search(r"验证码是 (\d{6})", row.payload["text"])
    assert found
    return found.group(1)


async def seed_kb(session: AsyncSession, clock: ManualClock) -> None:
    """The shipped entries in the table, as `kb seed` leaves them (feedback and usage name rows)."""
    await kb_service.seed_default(session, clock=clock)
    await session.commit()


@pytest.fixture
async def h5(aiohttp_client: AiohttpClient, make_app: Any, tmp_path: Path, session: AsyncSession,
             clock: ManualClock) -> TestClient[Any, Any]:
    await seed_kb(session, clock)
    return await aiohttp_client(make_app(media_dir=tmp_path / "media"))


async def test_chat_answers_suggests_and_offers_filing(
    h5: TestClient[Any, Any], session: AsyncSession
) -> None:
    token = await csrf(h5)
    answered = await (await h5.post("/h5/ask", data={"_csrf": token, "q": "社保卡丢了怎么补办"})).text()
    assert "解决了" in answered and "没解决，转人工" in answered and "社保卡" in answered
    # The answer says which question it answers, above the answer itself.
    assert re.search(r'<p class="answer-q">社保卡丢了怎么补办</p>\s*<div class="answer">', answered)
    none = await (await h5.post("/h5/ask", data={"_csrf": token, "q": "火星上的天气怎么样"})).text()
    assert "抱歉，暂时没有找到合适的答案" in none
    assert "/h5/file?q=%E7%81%AB%E6%98%9F" in none
    # htmx asks for a fragment: one turn, no page around it.
    fragment = await (await h5.post("/h5/ask", data={"_csrf": token, "q": "社保卡丢了怎么补办"},
                                    headers={"HX-Request": "true"})).text()
    assert fragment.lstrip().startswith('<div class="turn">') and "<html" not in fragment
    assert await count(session, KnowledgeHit) == 2 and await count(session, KnowledgeMiss) == 1
    # A greeting and a request for a person: the engine's replies, no miss recorded, no filing offered
    # for the greeting; the person is told the hotline's number and hours from the policy.
    hello = await (await h5.post("/h5/ask", data={"_csrf": token, "q": "你好"})).text()
    assert "您好！这里是12345政务服务便民热线" in hello and "/h5/file?q=" not in hello
    person = await (await h5.post("/h5/ask", data={"_csrf": token, "q": "转人工"})).text()
    hotline = _rules(h5).policy.hotline
    assert (
        f"拨打 {hotline.phone} 热线（人工坐席服务时间：{hotline.hours}）" in person
        and "/h5/file?q=" in person
    )
    assert await count(session, KnowledgeMiss) == 1


async def test_not_solved_stores_feedback_and_goes_to_filing(
    h5: TestClient[Any, Any], session: AsyncSession
) -> None:
    token = await csrf(h5)
    response = await h5.post("/h5/feedback", data={"_csrf": token, "entry": "sbk_lost", "solved": "0",
                                                   "q": "社保卡丢了怎么办"}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/h5/file?q=")
    feedback = (await session.exec(select(KnowledgeFeedback))).one()
    assert feedback.solved is False and feedback.channel == "h5" and feedback.query == "社保卡丢了怎么办"
    form = await (await h5.get(response.headers["Location"])).text()
    assert "社保卡丢了怎么办</textarea>" in form and "您的问题已经帮您填好" in form


async def test_file_with_verified_phone_and_photo(h5: TestClient[Any, Any], session: AsyncSession, org: Org,
                                                  tmp_path: Path, clock: ManualClock) -> None:
    token = await csrf(h5, "/h5/file")
    review = await h5.post(
        "/h5/file",
        data={
            "_csrf": token,
            "content": "幸福路12号门口的路灯坏了一个星期，晚上很黑。",
            "place": "幸福路12号",
            "lat": "31.23040",
            "lon": "121.47370",
        },
    )
    html = await review.text()
    assert review.status == 200 and "第 2 步" in html
    assert 'value="complaint" selected' in html or "selected" in html
    sent = await h5.post("/h5/code", data={"_csrf": token, "phone": PHONE}, headers={"HX-Request": "true"})
    assert sent.status == 200 and "验证码已发送至 138****5678" in await sent.text()
    code = await last_code(session)
    wrong = await h5.post(
        "/h5/verify",
        data={"_csrf": token, "phone": PHONE, "code": "000000" if code != "000000" else "111111"},
        headers={"HX-Request": "true"},
    )
    # A fragment for htmx is the box's new state: 200 with the message (plain posts get 422).
    assert wrong.status == 200 and "验证码不正确，还可以再试 4 次。" in await wrong.text()
    ok = await h5.post("/h5/verify", data={"_csrf": token, "phone": PHONE, "code": code},
                       headers={"HX-Request": "true"})
    assert ok.status == 200 and "手机号 138****5678 已验证。" in await ok.text()

    form = FormData()
    for name, value in {
        "_csrf": token,
        "content": "幸福路12号门口的路灯坏了一个星期，晚上很黑。",
        "place": "幸福路12号",
        "lat": "31.23040",
        "lon": "121.47370",
        "request_type": "complaint",
        "category": "城市管理",
    }.items():
        form.add_field(name, value)
    form.add_field("photos", phone_photo(), filename="IMG_0001.jpg", content_type="image/jpeg")
    done = await h5.post("/h5/file/submit", data=form, allow_redirects=False)
    assert done.status == 303, await done.text()
    receipt = await (await h5.get(done.headers["Location"])).text()
    ticket = (await session.exec(select(Ticket))).one()
    assert ticket.channel is Channel.WEB and ticket.contact_phone == PHONE and ticket.category == "城市管理"
    assert ticket.place == "幸福路12号（位置：31.23040, 121.47370）"
    assert "提交成功" in receipt and ticket.number in receipt
    # Monday 2026-11-23 10:00 + 5 working days.
    assert "预计办结时间：2026-11-30 10:00 前" in receipt and "5个工作日" in receipt
    photo = (await session.exec(select(TicketPhoto))).one()
    stored = (tmp_path / "media" / photo.sha256[:2] / f"{photo.sha256}.jpg").read_bytes()
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {} and b"Xiaomi" not in stored


async def _verified(h5: TestClient[Any, Any], session: AsyncSession, token: str, phone: str = PHONE) -> None:
    await h5.post("/h5/code", data={"_csrf": token, "phone": phone}, headers={"HX-Request": "true"})
    response = await h5.post(
        "/h5/verify",
        data={"_csrf": token, "phone": phone, "code": await last_code(session)},
        headers={"HX-Request": "true"},
    )
    assert response.status == 200


def _submission(token: str, **fields: str) -> dict[str, str]:
    values = {"_csrf": token, "content": "小区门口垃圾堆了三天没人清运。", "place": "幸福小区",
              "request_type": "complaint", "category": ""}
    values.update(fields)
    return values


async def test_refusals_write_nothing(h5: TestClient[Any, Any], session: AsyncSession) -> None:
    token = await csrf(h5, "/h5/file")
    # Not verified.
    response = await h5.post("/h5/file/submit", data=_submission(token))
    assert response.status == 422 and "手机号尚未验证" in await response.text()
    await _verified(h5, session, token)
    # Script tags in every field.
    script = "<script>alert(1)</script>"
    response = await h5.post("/h5/file/submit", data=_submission(token, content=script, place=script,
                                                                  request_type=script, category=script))
    text = await response.text()
    assert response.status == 422 and "不能包含网页代码" in text and "<script>alert" not in text
    # An .exe renamed .jpg.
    form = FormData(_submission(token))
    form.add_field("photos", b"MZ\x90\x00" + b"\x00" * 4000, filename="photo.jpg", content_type="image/jpeg")
    response = await h5.post("/h5/file/submit", data=form)
    assert response.status == 422 and "不是 JPG、PNG 或 WebP 格式的照片" in await response.text()
    # A 20 MB photo.
    form = FormData(_submission(token))
    form.add_field("photos", io.BytesIO(phone_photo() + b"\x00" * (20 * 1024 * 1024)), filename="big.jpg",
                   content_type="image/jpeg")
    response = await h5.post("/h5/file/submit", data=form)
    assert response.status == 422 and "超过 10 MB" in await response.text(), await response.text()
    assert await count(session, Ticket) == 0 and await count(session, TicketPhoto) == 0
    # The proof was not spent by the refusals: the citizen files after correcting.
    response = await h5.post("/h5/file/submit", data=_submission(token), allow_redirects=False)
    assert response.status == 303 and await count(session, Ticket) == 1


async def test_track_by_number_and_digits_then_rate_negative_sends_back(h5: TestClient[Any, Any],
                                                                      session: AsyncSession, org: Org,
                                                                      clock: ManualClock) -> None:
    from tests.tickets.test_service import full_reply
    from tickets import service

    token = await csrf(h5, "/h5/file")
    await _verified(h5, session, token)
    await h5.post("/h5/file/submit", data=_submission(token), allow_redirects=False)
    ticket = (await session.exec(select(Ticket))).one()
    number = ticket.number
    await service.dispatch(session, rules=_rules(h5), actor=org.office, number=number,
                           unit_id=org.unit_ids[0])
    await service.first_contact(session, rules=_rules(h5), actor=org.handler(0), number=number, reached=True)
    await service.reply(session, rules=_rules(h5), actor=org.handler(0), number=number, data=full_reply())
    await session.commit()

    # A stranger with the number and wrong digits.
    other = await h5.post("/h5/track", data={"_csrf": token, "number": number, "digits": "0000"})
    assert other.status == 422 and "工单号或手机号后 4 位不正确" in await other.text()
    found = await h5.post("/h5/track", data={"_csrf": token, "number": number, "digits": "5678"},
                          allow_redirects=False)
    assert found.status == 303 and found.headers["Location"].startswith(f"/h5/t/{number}.")
    page = await (await h5.get(found.headers["Location"])).text()
    assert "区住建局已回复办理结果" in page and "联络员0A" not in page
    # This browser proved the phone: it sees the reply and the four questions.
    assert full_reply().text in page and "请您评价" in page
    link = found.headers["Location"]
    rated = await h5.post(
        f"{link}/rate",
        data={
            "_csrf": token,
            "contacted": "y",
            "answered": "y",
            "solved": "n",
            "satisfaction": "unsatisfied",
        },
        allow_redirects=False,
    )
    assert rated.status == 303
    await session.refresh(ticket)
    assert ticket.status is TicketStatus.ACCEPTED and ticket.rework_count == 1
    after = await (await h5.get(rated.headers["Location"])).text()
    assert "已将工单" in after and "退回承办单位重新办理" in after and "已退回区住建局重新办理" in after


def _rules(h5: TestClient[Any, Any]) -> Any:
    from integrations.state import RULES

    return h5.app[RULES]


async def test_asking_too_fast_gets_429_and_shows_in_metrics(h5: TestClient[Any, Any]) -> None:
    token = await csrf(h5)
    statuses = [(await h5.post("/h5/ask", data={"_csrf": token, "q": f"问题{i}"})).status for i in range(32)]
    assert statuses[:30] == [200] * 30 and statuses[30:] == [429, 429]
    metrics = await (await h5.get("/metrics")).text()
    assert re.search(
        r'hotline_http_requests_total\{[^}]*route="/h5/ask"[^}]*status="429"[^}]*\} 2\.0', metrics
    ) or re.search(r'route="/h5/ask".*status="429".*2\.0', metrics), metrics[:2000]


async def test_a_forged_or_old_link_gets_a_clear_page(h5: TestClient[Any, Any], clock: ManualClock) -> None:
    from datetime import timedelta

    from integrations.state import RULES
    from web.h5.views import LINKS

    response = await h5.get("/h5/t/2026112300001.zzzz.AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status == 404 and "查询链接无效" in await response.text()
    token = h5.app[LINKS].token("2026112300001", now=h5.app[RULES].now())
    clock.advance(timedelta(days=91))
    response = await h5.get(f"/h5/t/{token}")
    assert response.status == 404 and "查询链接已过期，请用工单号和手机号查询。" in await response.text()


async def test_behind_a_proxy_the_forwarded_address_is_counted(aiohttp_client: AiohttpClient, make_app: Any,
                                                               tmp_path: Path) -> None:
    async def statuses(client: TestClient[Any, Any], hop: str, n: int) -> list[int]:
        token = await csrf(client)
        return [
            (
                await client.post(
                    "/h5/ask",
                    data={"_csrf": token, "q": f"问{i}"},
                    headers={"X-Forwarded-For": f"198.51.100.1, {hop}"},
                )
            ).status
            for i in range(n)
        ]

    trusting = await aiohttp_client(make_app(media_dir=tmp_path / "m1", web_trust_forwarded_for=True))
    assert await statuses(trusting, "203.0.113.1", 31) == [200] * 30 + [429]
    # Another citizen behind the same proxy is not held up by the first one.
    assert await statuses(trusting, "203.0.113.2", 1) == [200]
    # Not configured: the header is the client's word and is ignored (one address, one limit).
    plain = await aiohttp_client(make_app(media_dir=tmp_path / "m2"))
    assert await statuses(plain, "203.0.113.3", 30) == [200] * 30
    assert await statuses(plain, "203.0.113.4", 1) == [429]


def test_numbered_items_of_an_answer_are_shown_one_a_line() -> None:
    from web.base import list_lines

    answer = ("在异地就医未能直接结算的，可申请手工报销。所需材料：1.身份证件或医保电子凭证；"
              "2.医疗费用收费票据原件（电子票据无需原件）；3.费用明细清单。报销费用2.5元以上的；第1.2条另有规定。一、适用范围：本市参保人员。")
    assert list_lines(answer).splitlines() == [
        "在异地就医未能直接结算的，可申请手工报销。所需材料：",
        "1.身份证件或医保电子凭证；",
        "2.医疗费用收费票据原件（电子票据无需原件）；",
        "3.费用明细清单。报销费用2.5元以上的；第1.2条另有规定。",
        "一、适用范围：本市参保人员。",
    ]
