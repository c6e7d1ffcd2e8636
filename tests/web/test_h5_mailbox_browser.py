"""市长信箱 in a real Chromium on a phone screen: a citizen writes a letter with a photo and a
verified phone, reads the receipt with the mailbox's deadline; once the letter is handled and
published, the public page shows it without the writer's name, door number or phone. Every
page is checked with axe, must fit the screen, and is photographed (tests/web/screenshots/)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.state import RULES
from tests.conftest import Org
from tests.tickets.test_mailbox import handle
from tests.tickets.test_photos import phone_photo
from tests.web.conftest import Browser
from tests.web.test_h5_browser import (  # noqa: F401  (fixtures of the phone and the seeded server)
    PHONE,
    browser_context,
    fits_the_screen,
    no_serious_axe,
    phone,
    server,
    settings,
    verify_phone,
)
from tickets import mailbox
from tickets.clock import ManualClock
from tickets.enums import Channel
from tickets.models import Ticket


async def test_a_citizen_writes_to_the_mailbox_and_reads_the_published_reply(
        phone: Browser, session: AsyncSession, org: Org, clock: ManualClock) -> None:  # noqa: F811
    page = await phone.new_page()
    await page.goto(phone.base_url + "/h5/")
    await page.get_by_role("link", name="市长信箱").click()
    await page.get_by_role("heading", name="市长信箱").wait_for()
    await page.get_by_label("信件标题").fill("幸福小区门口道路破损")
    await page.get_by_label("来信内容").fill(
        "我是王小明，住幸福小区3栋2单元1201室，电话13912345678。小区门口道路破损半年，"
        "雨天积水，老人出行困难，希望尽快修复。"
    )
    await page.get_by_label("您的称呼（选填）").fill("王小明")
    await page.get_by_label("附件图片（选填，最多 3 张，每张不超过 10 MB）").set_input_files(
        [{"name": "路面.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()}])
    await page.get_by_label("同意公开", exact=False).check()
    await verify_phone(page, session)
    await page.get_by_text("手机号 139****5678 已验证。").wait_for()
    await phone.shot(page, "01-letter-form")
    await no_serious_axe(phone, page)
    await fits_the_screen(page)
    await page.get_by_role("button", name="寄出信件").click()
    await page.get_by_role("heading", name="来信已收到").wait_for()
    ticket = (await session.exec(select(Ticket))).one()
    assert ticket.channel is Channel.MAILBOX and ticket.contact_phone == PHONE
    receipt = await page.locator("#letter-receipt").inner_text()
    assert f"信件编号：{ticket.number}" in receipt
    assert "我们将在10个工作日内答复您，预计在2026年12月7日（星期一）前。" in receipt
    assert "您同意公开这封信" in receipt and "回执短信会发送至 139****5678" in receipt
    await phone.shot(page, "02-letter-receipt")
    await no_serious_axe(phone, page)
    await fits_the_screen(page)
    # Followed later (the link without ?new=1): the letter's own facts.
    await page.goto(page.url.removesuffix("?new=1"))
    facts = await page.locator("#letter-facts").inner_text()
    assert "幸福小区门口道路破损" in facts and "2026年12月7日（星期一）前" in facts and "同意公开" in facts
    await phone.shot(page, "02b-letter-follow")

    rules = phone.app[RULES]  # type: ignore[attr-defined]
    number = ticket.number
    await handle(session, rules, clock, org, number)
    await mailbox.publish(session, rules=rules, actor=org.actor_office(), number=number,
                          reply="王小明您好：经现场查看，道路破损属实，已列入本月维修计划，预计月底前修复。")
    await session.commit()
    await page.goto(phone.base_url + "/h5/mailbox/public")
    await page.get_by_role("heading", name="幸福小区门口道路破损").wait_for()
    shown = await page.locator("main").inner_text()
    assert "已列入本月维修计划" in shown and "区住建局答复" in shown
    for private in ("王小明", "1201", PHONE, "139****5678"):
        assert private not in shown, private
    await phone.shot(page, "03-public-replies")
    await no_serious_axe(phone, page)
    await fits_the_screen(page)
