"""市长信箱 on the citizens' pages over real HTTP: a letter with an image and a verified phone
goes through the one door on the mailbox's terms; refusals (no phone, markup, no words, too
long, not an image, too many) write nothing; the public page shows only letters published
with consent, without personal data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.state import RULES
from tests.conftest import Org
from tests.tickets.test_mailbox import handle
from tests.tickets.test_photos import phone_photo
from tests.web.test_h5_http import PHONE, _verified, count, csrf, h5  # noqa: F401  (h5 is a fixture)
from tickets import mailbox
from tickets.clock import ManualClock
from tickets.enums import Channel, OutboxChannel
from tickets.models import MailboxLetter, Outbox, Ticket, TicketPhoto

BODY = "我是王小明，住幸福小区3栋2单元1201室。小区门口道路破损半年，雨天积水，老人出行困难，希望尽快修复。"


def letter_form(token: str, **fields: str) -> FormData:
    values = {
        "_csrf": token,
        "title": "幸福小区门口道路破损",
        "body": BODY,
        "name": "王小明",
        "consent": "yes",
    }
    values.update(fields)
    return FormData({k: v for k, v in values.items() if v is not None})


async def test_a_letter_from_the_page_is_received_and_published_without_personal_data(
    h5: TestClient[Any, Any],  # noqa: F811
    session: AsyncSession, org: Org, clock: ManualClock, tmp_path: Path
) -> None:
    page = await h5.get("/h5/mailbox")
    html = await page.text()
    assert (
        page.status == 200
        and "信件标题" in html
        and "同意公开" in html
        and 'aria-current="page">市长信箱' in html
    )
    token = await csrf(h5, "/h5/mailbox")
    await _verified(h5, session, token)
    form = letter_form(token)
    form.add_field("attachments", phone_photo(), filename="路面.jpg", content_type="image/jpeg")
    done = await h5.post("/h5/mailbox", data=form, allow_redirects=False)
    assert done.status == 303, await done.text()
    receipt = await (await h5.get(done.headers["Location"])).text()
    ticket = (await session.exec(select(Ticket))).one()
    assert (
        ticket.channel is Channel.MAILBOX
        and ticket.contact_phone == PHONE
        and ticket.contact_name == "王小明"
    )
    # The receipt speaks of a letter: its number, the mailbox's term as a date, how to follow
    # it and whether it may be published.
    assert f"信件编号：<strong>{ticket.number}</strong>" in receipt and "工单号" not in receipt
    # Monday 2026-11-23 10:00 + the mailbox's 10 working days (two weekends: not 12-03).
    assert "我们将在10个工作日内答复您，预计在2026年12月7日（星期一）前。" in receipt
    assert "回执短信会发送至 138****5678" in receipt and "输入信件编号和手机号后 4 位" in receipt
    assert "您同意公开这封信" in receipt
    # The follow-up page, later: the letter's facts, no receipt.
    follow = await (await h5.get(done.headers["Location"].removesuffix("?new=1"))).text()
    assert "来信已收到" not in follow and "<h1>来信办理进度</h1>" in follow
    for fact in (
        "<dt>信件标题</dt><dd>幸福小区门口道路破损</dd>",
        "<dt>答复期限</dt><dd>2026年12月7日（星期一）前</dd>",
        "<dt>是否公开</dt>",
        "同意公开（个人信息隐去）",
        "<h2>来信内容</h2>",
        "市长信箱来信已受理",
    ):
        assert fact in follow, fact
    # The receipt by SMS says the same.
    sms = (await session.exec(select(Outbox).where(Outbox.channel == OutboxChannel.SMS,
                                                   Outbox.recipient == PHONE))).all()
    assert [m.payload["text"] for m in sms if m.payload["kind"] == "ticket_received"] == [
        f"您写给市长信箱的信件已收到（信件编号 {ticket.number}），将在10个工作日内答复，"
        "预计2026年12月7日（星期一）前。"
    ]
    assert await count(session, TicketPhoto) == 1

    public = await (await h5.get("/h5/mailbox/public")).text()
    assert "暂时还没有公开的来信" in public
    rules = h5.server.app[RULES]
    number = ticket.number
    await handle(session, rules, clock, org, number)
    await mailbox.publish(session, rules=rules, actor=org.actor_office(), number=number)
    await session.commit()
    public = await (await h5.get("/h5/mailbox/public")).text()
    assert "幸福小区门口道路破损" in public and "道路破损半年" in public and "区住建局答复" in public
    for private in ("王小明", "1201", PHONE, "138****5678"):
        assert private not in public, private


async def test_a_letter_without_consent_is_told_it_stays_unpublished(
    h5: TestClient[Any, Any], session: AsyncSession  # noqa: F811
) -> None:
    token = await csrf(h5, "/h5/mailbox")
    await _verified(h5, session, token)
    done = await h5.post("/h5/mailbox", data=letter_form(token, consent=None), allow_redirects=False)
    assert done.status == 303, await done.text()
    receipt = await (await h5.get(done.headers["Location"])).text()
    assert "您没有选择公开：来信和答复不会公开刊登。" in receipt and "您同意公开" not in receipt
    follow = await (await h5.get(done.headers["Location"].removesuffix("?new=1"))).text()
    assert "<dt>是否公开</dt>\n      <dd>不公开</dd>" in follow


async def test_letters_refused_on_the_page_write_nothing(
    h5: TestClient[Any, Any], session: AsyncSession  # noqa: F811
) -> None:
    token = await csrf(h5, "/h5/mailbox")
    response = await h5.post("/h5/mailbox", data=letter_form(token))
    text = await response.text()
    assert response.status == 422 and "手机号尚未验证" in text
    # What was typed comes back with the refusal.
    assert "幸福小区门口道路破损" in text and 'name="consent" type="checkbox" value="yes" checked' in text
    await _verified(h5, session, token)
    for fields, says in [
        ({"title": "<script>alert(1)</script>"}, "不能包含网页代码"),
        ({"title": "🙏🙏"}, "用文字写明事由"),
        ({"body": "😡😡😡"}, "只有表情或标点"),
        ({"body": "长" * 5001}, "5001 字"),
        ({"title": "标" * 51}, "信件标题"),
    ]:
        response = await h5.post("/h5/mailbox", data=letter_form(token, **fields))
        text = await response.text()
        assert response.status == 422 and says in text, (fields, text[:2000])
        assert "<script>alert" not in text
    form = letter_form(token)
    form.add_field(
        "attachments", b"MZ\x90\x00" + b"\x00" * 4000, filename="photo.jpg", content_type="image/jpeg"
    )
    response = await h5.post("/h5/mailbox", data=form)
    assert response.status == 422 and "不是 JPG、PNG 或 WebP 格式的照片" in await response.text()
    form = letter_form(token)
    for i in range(4):
        form.add_field(
            "attachments", phone_photo((i * 50, 0, 0)), filename=f"{i}.jpg", content_type="image/jpeg"
        )
    response = await h5.post("/h5/mailbox", data=form)
    assert response.status == 422 and "附件最多 3 个" in await response.text()
    assert await count(session, Ticket) == 0 and await count(session, MailboxLetter) == 0
    # Traditional characters and emoji inside a letter are fine; no consent is stored as such.
    response = await h5.post(
        "/h5/mailbox",
        data=letter_form(token, title="道路破損🚧", body="小區門口道路破損，雨天積水😢。", consent=None),
        allow_redirects=False,
    )
    assert response.status == 303
    letter = (await session.exec(select(MailboxLetter))).one()
    assert letter.title == "道路破損🚧" and letter.publish_consent is False
