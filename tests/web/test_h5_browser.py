"""The citizens' H5 pages in a real Chromium on a phone screen (375×667, touch, zh-CN): a
citizen asks three questions (answered, a 猜你想问 choice, no answer → filing), files with a
verified phone, a photo and the browser's location, reads the receipt, follows the ticket
by number and phone digits on another phone, and rates the reply negatively, which sends
the ticket back to the unit. The refusals (wrong code, 20 MB photo, .exe renamed .jpg,
script tags) each show a clear message and write nothing. Every page is checked with axe
and photographed (tests/web/screenshots/)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.state import RULES
from knowledge_base import service as kb_service
from knowledge_base.models import KnowledgeFeedback
from tests.conftest import Org
from tests.tickets.test_photos import phone_photo
from tests.tickets.test_service import full_reply
from tests.web.conftest import Browser
from tests.web.test_h5_http import seed_kb
from tickets import service
from tickets.clock import ManualClock
from tickets.enums import Action, Channel, OutboxChannel, TicketStatus
from tickets.models import Outbox, Ticket, TicketEvent, TicketPhoto
from wiring import Settings

PHONE = "13912345678"
PHONE_SIZE = {"width": 375, "height": 667}


@pytest.fixture
def browser_context() -> dict[str, Any]:
    """A phone: 375×667, touch, its position known (the citizen allows it when asked)."""
    return {"viewport": PHONE_SIZE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
            "geolocation": {"latitude": 31.2304, "longitude": 121.4737}, "permissions": ["geolocation"]}


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"media_dir": tmp_path / "media"})


@pytest.fixture
async def server(session: AsyncSession, clock: ManualClock, server: TestServer) -> TestServer:
    """The knowledge base seeded with some use this week (the app reads it when a page asks)."""
    await seed_kb(session, clock)
    for key, uses in (("sbk_lost", 5), ("gjj_withdraw", 4), ("yb_reimburse", 3), ("residence_permit", 2)):
        for _ in range(uses):
            await kb_service.record_hit(session, key=key, clock=clock, channel="h5")
    await session.commit()
    return server


@pytest.fixture
def phone(browser: Browser, server: TestServer) -> Browser:
    browser.app = server.app  # type: ignore[attr-defined]
    return browser


async def sms_code(session: AsyncSession) -> str:
    row = (await session.exec(select(Outbox).where(Outbox.channel == OutboxChannel.SMS)
                              .order_by(col(Outbox.id).desc()))).first()
    assert row is not None and row.recipient == PHONE
    found = re.search(r"验证码是 (\d{6})", row.payload["text"])
    assert found
    return found.group(1)


async def no_serious_axe(browser: Browser, page: Any) -> None:
    violations = await browser.axe(page)
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


async def fits_the_screen(page: Any) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_SIZE["width"], width


async def last_bot_text(page: Any) -> str:
    return str(await page.locator("#chat .msg.bot").last.inner_text())


async def verify_phone(page: Any, session: AsyncSession, *, wrong_first: bool = False) -> None:
    await page.get_by_label("手机号", exact=True).fill(PHONE)
    await page.get_by_role("button", name="获取验证码").click()
    await page.get_by_text("验证码已发送至 139****5678").wait_for()
    code = await sms_code(session)
    if wrong_first:
        await page.get_by_label("短信验证码").fill("000000" if code != "000000" else "111111")
        await page.get_by_role("button", name="验证", exact=True).click()
        await page.get_by_text("验证码不正确，还可以再试 4 次。").wait_for()
    await page.get_by_label("短信验证码").fill(code)
    await page.get_by_role("button", name="验证", exact=True).click()


async def test_a_citizen_asks_files_tracks_and_rates(phone: Browser, session: AsyncSession, org: Org,
                                                     clock: ManualClock, tmp_path: Path) -> None:
    page = await phone.new_page()
    await page.goto(phone.base_url + "/h5/")
    # The week's hot questions, most used first.
    chips = page.locator(".hot .chip")
    assert await chips.all_inner_texts() == [
        "社保卡丢了怎么补办",
        "公积金怎么提取",
        "医保怎么报销",
        "居住证怎么办理",
    ]
    await phone.shot(page, "01-chat-empty", full_page=False)
    await no_serious_axe(phone, page)
    await fits_the_screen(page)

    # 1. Answered directly, and it helped.
    await page.get_by_label("您的问题").fill("社保卡丢了怎么补办")
    await page.get_by_role("button", name="发送").click()
    await page.get_by_role("button", name="解决了").wait_for()
    assert "社保卡" in await last_bot_text(page)
    assert await page.get_by_label("您的问题").input_value() == ""
    await phone.shot(page, "02-answer", full_page=False)
    await page.get_by_role("button", name="解决了").click()
    await page.get_by_text("感谢您的反馈，很高兴能帮到您！").wait_for()
    assert await page.get_by_role("button", name="解决了").count() == 0

    # 2. A vague question: 猜你想问 chips; the citizen taps one.
    await page.get_by_label("您的问题").fill("公积金")
    await page.get_by_role("button", name="发送").click()
    await page.get_by_text("没有完全理解您的问题，猜您想问：").wait_for()
    await phone.shot(page, "03-suggestions", full_page=False)
    await page.locator(".turn").last.get_by_role("button", name="公积金怎么提取").click()
    await page.get_by_role("button", name="没解决，转人工").wait_for()
    assert "公积金" in await last_bot_text(page)

    # 3. Nothing in the knowledge base: a polite no-answer offering to file, question filled in.
    await page.get_by_label("您的问题").fill("健身路径的单杠断了")
    await page.get_by_role("button", name="发送").click()
    await page.get_by_text("抱歉，暂时没有找到合适的答案。").wait_for()
    await phone.shot(page, "04-no-answer", full_page=False)
    await no_serious_axe(phone, page)
    await page.get_by_role("link", name="提交诉求").click()
    await page.wait_for_url("**/h5/file?*")
    assert await page.get_by_label("诉求内容").input_value() == "健身路径的单杠断了"

    # Filing: the question extended, the place typed and the phone's location added.
    await page.get_by_label("诉求内容").fill(
        "幸福公园东门的健身器材坏了两个，螺丝松动，老人用着很危险，希望尽快修理。"
    )
    await page.get_by_label("地点").fill("幸福公园东门")
    await page.get_by_role("button", name="使用我当前的位置").click()
    await page.get_by_text("已获取位置：31.23040, 121.47370").wait_for()
    await phone.shot(page, "05-file-step1")
    await no_serious_axe(phone, page)
    await fits_the_screen(page)
    await page.get_by_role("button", name="下一步").click()
    await page.get_by_text("第 2 步（共 2 步）：确认并提交").wait_for()
    # The classifier's suggestion, for the citizen to confirm or correct.
    suggested_type = await page.get_by_label("诉求类型").input_value()
    assert suggested_type in {"complaint", "help", "suggestion", "consultation", "report", "praise"}
    await page.get_by_label("诉求类型").select_option("help")
    await page.get_by_label("所属分类").select_option("城市管理")
    await page.get_by_label("照片（选填，最多 3 张，每张不超过 10 MB）").set_input_files(
        [{"name": "IMG_2048.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()}])
    await verify_phone(page, session, wrong_first=True)
    await page.get_by_text("手机号 139****5678 已验证。").wait_for()
    # The photo chosen before the phone check is still chosen (the check did not reload the page).
    assert await page.evaluate("document.getElementById('photos').files.length") == 1
    await phone.shot(page, "06-file-step2")
    await no_serious_axe(phone, page)
    await fits_the_screen(page)
    await page.get_by_role("button", name="确认提交").click()
    await page.get_by_text("提交成功").wait_for()

    ticket = (await session.exec(select(Ticket))).one()
    assert ticket.channel is Channel.WEB and ticket.contact_phone == PHONE
    assert ticket.request_type.value == "help" and ticket.category == "城市管理"
    assert ticket.place == "幸福公园东门（位置：31.23040, 121.47370）"
    receipt = await page.locator("main").inner_text()
    assert ticket.number in receipt
    # Monday 2026-11-23 10:00; "老人用着很危险" makes it urgent: 1 working day by the dispatch rules.
    assert ticket.urgency.value == "urgent"
    assert "预计办结时间：2026-11-24 10:00 前" in receipt and "按派单规则（1个工作日）" in receipt
    assert (await session.exec(select(func.count()).select_from(TicketPhoto))).one() == 1
    await phone.shot(page, "07-receipt")
    await no_serious_axe(phone, page)
    await fits_the_screen(page)

    # The office dispatches, the unit calls and replies (the staff side, through the service).
    rules = phone.app[RULES]  # type: ignore[attr-defined]
    number = ticket.number
    await service.dispatch(session, rules=rules, actor=org.office, number=number, unit_id=org.unit_ids[1],
                           note="内部：请街道尽快处理")
    await service.first_contact(session, rules=rules, actor=org.handler(1), number=number, reached=True,
                                note="已电话联系市民")
    await service.reply(session, rules=rules, actor=org.handler(1), number=number,
                        data=full_reply(contact_person="联络员1A", answered_by="联络员1A"))
    await session.commit()

    # Days later, on another phone: tracking by number and the last 4 digits.
    clock.advance(timedelta(days=2))
    other = await phone.context.browser.new_context(  # type: ignore[union-attr]
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE_SIZE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page2 = await other.new_page()
        page2.on("pageerror", lambda error: phone.problems.append(f"script error: {error}"))
        await page2.goto(phone.base_url + "/h5/track")
        await no_serious_axe(phone, page2)
        await page2.get_by_label("工单号").fill(number)
        await page2.get_by_label("手机号后 4 位").fill("0000")
        await page2.get_by_role("button", name="查询").click()
        await page2.get_by_text("工单号或手机号后 4 位不正确，请核对后重试。").wait_for()
        await page2.get_by_label("手机号后 4 位").fill("5678")
        await page2.get_by_role("button", name="查询").click()
        await page2.get_by_role("heading", name="办理进度", exact=True).wait_for()
        public = await page2.locator("main").inner_text()
        assert (
            "诉求已受理" in public
            and "已转交柳林洲街道办理" in public
            and "柳林洲街道已回复办理结果" in public
        )
        for hidden in ("联络员1A", "王主任", "内部", "已电话联系", full_reply().text, "健身器材"):
            assert hidden not in public
        await phone.shot(page2, "08-track-public")
        await no_serious_axe(phone, page2)
        # The citizen proves the phone: the reply and the four callback questions appear.
        await verify_phone(page2, session)
        await page2.get_by_text("承办单位的答复").wait_for()
        assert full_reply().text in await page2.locator("main").inner_text()
        await page2.get_by_role("group", name="1. 承办单位是否先与您联系过？").get_by_label("是").check()
        await page2.get_by_role("group", name="2. 承办单位是否答复了您的诉求？").get_by_label("是").check()
        await page2.get_by_role("group", name="3. 您的问题是否已经解决？").get_by_label("否").check()
        await page2.get_by_role("group", name="4. 您对办理结果是否满意？").get_by_label("不满意").check()
        await phone.shot(page2, "09-rate")
        await no_serious_axe(phone, page2)
        await fits_the_screen(page2)
        await page2.get_by_role("button", name="提交评价").click()
        await page2.get_by_text(f"我们已将工单 {number} 退回承办单位重新办理").wait_for()
        await phone.shot(page2, "10-rated-rework")
    finally:
        await other.close()

    # Exactly what the bot's buttons do: the callback recorded, the ticket back with the unit.
    await session.refresh(ticket)
    assert ticket.status is TicketStatus.ACCEPTED and ticket.rework_count == 1
    assert ticket.cb_solved is False and ticket.cb_contacted is True
    events = (await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(col(TicketEvent.id)))).all()
    assert events[-1].action is Action.REWORK and events[-1].actor_role.value == "citizen"
    assert events[-1].note == "市民通过网页回访作答"
    feedback = (await session.exec(select(KnowledgeFeedback))).all()
    assert [(f.solved, f.channel) for f in feedback] == [(True, "h5")]


async def test_refusals_show_a_message_and_write_nothing(phone: Browser, session: AsyncSession,
                                                        tmp_path: Path) -> None:
    page = await phone.new_page()
    await page.goto(phone.base_url + "/h5/file")
    script = "<script>alert('x')</script>"
    await page.get_by_label("诉求内容").fill(script)
    await page.get_by_label("地点").fill(script)
    await page.get_by_role("button", name="下一步").click()
    await page.get_by_text("“诉求内容”中不能包含网页代码（如 <script>），请只填写文字。").wait_for()
    await phone.shot(page, "01-script-refused")
    await page.get_by_label("诉求内容").fill("小区门口的路面塌了一个坑，电动车经过很危险。")
    await page.get_by_label("地点").fill("幸福小区南门")
    await page.get_by_role("button", name="下一步").click()
    await verify_phone(page, session, wrong_first=True)
    await page.get_by_text("手机号 139****5678 已验证。").wait_for()

    photos = page.get_by_label("照片（选填，最多 3 张，每张不超过 10 MB）")
    await photos.set_input_files([{"name": "photo.jpg", "mimeType": "image/jpeg",
                                   "buffer": b"MZ\x90\x00\x03" + b"\x00" * 5000}])
    await page.get_by_role("button", name="确认提交").click()
    await page.get_by_text("文件“photo.jpg”不是 JPG、PNG 或 WebP 格式的照片，请重新选择。").wait_for()
    assert await page.get_by_text("如已选择照片，请重新选择后再提交。").count() == 1
    await phone.shot(page, "02-exe-refused")

    await page.get_by_label("照片（选填，最多 3 张，每张不超过 10 MB）").set_input_files(
        [
            {
                "name": "big.jpg",
                "mimeType": "image/jpeg",
                "buffer": phone_photo() + b"\x00" * (20 * 1024 * 1024),
            }
        ],
        # 20 MB handed to the browser over its debugging pipe: seconds on a busy machine.
        timeout=60_000,
    )
    await page.get_by_role("button", name="确认提交").click()
    await page.get_by_text("照片“big.jpg”超过 10 MB，请压缩后再上传。").wait_for(timeout=60_000)
    await phone.shot(page, "03-20mb-refused")
    await no_serious_axe(phone, page)

    assert (await session.exec(select(func.count()).select_from(Ticket))).one() == 0
    assert (await session.exec(select(func.count()).select_from(TicketPhoto))).one() == 0
    media = tmp_path / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


async def test_without_javascript_the_forms_still_work(phone: Browser, session: AsyncSession) -> None:
    """Progressive enhancement: an in-app browser with scripts off asks, files and gets a receipt."""
    context = await phone.context.browser.new_context(  # type: ignore[union-attr]
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE_SIZE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    try:
        page = await context.new_page()
        await page.goto(phone.base_url + "/h5/")
        await page.get_by_label("您的问题").fill("社保卡丢了怎么补办")
        await page.get_by_role("button", name="发送").click()
        await page.get_by_role("button", name="没解决，转人工").click()
        await page.wait_for_url("**/h5/file?*")
        assert await page.get_by_label("诉求内容").input_value() == "社保卡丢了怎么补办"
        # No script: the location button stays hidden, the place is typed.
        assert await page.get_by_role("button", name="使用我当前的位置").count() == 0
        await page.get_by_label("诉求内容").fill("社保卡丢了，补办的网点说系统故障一直办不了，已经跑了三趟。")
        await page.get_by_label("地点").fill("城东社保服务网点")
        await page.get_by_role("button", name="下一步").click()
        await page.get_by_label("手机号", exact=True).fill(PHONE)
        await page.get_by_role("button", name="获取验证码").click()
        await page.get_by_text("验证码已发送至 139****5678").wait_for()
        # The whole page came back with what was typed.
        assert "已经跑了三趟" in await page.locator("main").inner_text()
        await page.get_by_label("短信验证码").fill(await sms_code(session))
        await page.get_by_role("button", name="验证", exact=True).click()
        await page.get_by_text("手机号 139****5678 已验证。").wait_for()
        await phone.shot(page, "01-no-js-step2")
        await page.get_by_role("button", name="确认提交").click()
        await page.get_by_text("提交成功").wait_for()
        ticket = (await session.exec(select(Ticket))).one()
        assert ticket.number in await page.locator("main").inner_text()
        assert ticket.content == "社保卡丢了，补办的网点说系统故障一直办不了，已经跑了三趟。"
    finally:
        await context.close()
