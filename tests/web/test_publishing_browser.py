"""信箱公开 and 政企通专员 in a real Chromium, as the office clerk uses them: preview a letter,
publish and withdraw it, see why another cannot be published; register a specialist (a bad
area first), then stop them after the confirmation. Every screen is checked with axe and
photographed (tests/web/screenshots/)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.web.conftest import Accounts, Browser
from tests.web.test_h5_browser import no_serious_axe
from tests.web.test_publishing import _closed_letter
from tickets import enterprise, mailbox
from tickets.clock import ManualClock
from tickets.context import Rules


def _accept_dialogs(page: Any, asked: list[str]) -> None:
    """The clerk answers 确定 to every confirmation the page asks, and what was asked is kept."""
    pending: set[asyncio.Future[None]] = set()

    def on_dialog(dialog: Any) -> None:
        asked.append(dialog.message)
        task = asyncio.ensure_future(dialog.accept())
        pending.add(task)
        task.add_done_callback(pending.discard)

    page.on("dialog", on_dialog)


async def test_the_office_publishes_a_letter_and_keeps_the_specialist_register(
        browser: Browser, accounts: Accounts, session: AsyncSession, rules: Rules, clock: ManualClock,
        org: Org) -> None:
    refused = await _closed_letter(session, rules, clock, org, publish_consent=False,
                                   title="建议增设公交站点")
    number = await _closed_letter(session, rules, clock, org)
    page = await browser.new_page()
    asked: list[str] = []
    _accept_dialogs(page, asked)
    await browser.sign_in(page, accounts.office)
    await page.get_by_role("link", name="信箱公开").click()
    await page.get_by_role("heading", name="市长信箱答复公开").wait_for()
    table = await page.locator("#mailbox-table").inner_text()
    assert number in table and refused in table and "来信人未同意公开" in table
    await browser.shot(page, "mailbox-list")
    await no_serious_axe(browser, page)

    await page.locator(f"#m-{number}").get_by_role("link", name="预览与公开").click()
    preview = await page.locator("#preview").inner_text()
    assert "道路破损半年" in preview
    for private in ("王小明", "13812345678", "110101199003071234", "wxm@example.com", "1201"):
        assert private not in preview, private
    await browser.shot(page, "mailbox-preview")
    await no_serious_axe(browser, page)
    await page.get_by_role("button", name="公开这封信及答复").click()
    await page.wait_for_url(f"**/console/mailbox/{number}?done=publish")
    assert asked == ["确定将这封信及答复公开到市民端吗？"]
    await browser.shot(page, "mailbox-published")
    await no_serious_axe(browser, page)
    assert [p.number for p in await mailbox.published_letters(session)] == [number]
    await page.get_by_label("撤回原因（记入工单流程）").fill("来信人来电要求撤下")
    await page.get_by_role("button", name="撤回公开").click()
    await page.wait_for_url(f"**/console/mailbox/{number}?done=unpublish")
    assert "已撤回公开" in await page.locator("#done").inner_text()
    assert await mailbox.published_letters(session) == []

    await page.goto(browser.base_url + f"/console/mailbox/{refused}")
    assert "来信人未同意公开" in await page.locator("#mailbox-blocked").inner_text()
    assert await page.get_by_role("button", name="公开这封信及答复").count() == 0
    await browser.shot(page, "mailbox-no-consent")
    await no_serious_axe(browser, page)

    await page.get_by_role("link", name="政企通专员").click()
    await page.get_by_role("heading", name="政企通专员库").wait_for()
    assert await page.locator("#specialists-empty").is_visible()
    await browser.shot(page, "specialists-empty")
    await no_serious_axe(browser, page)
    await page.get_by_label("专员 *", exact=True).select_option(label="区住建局 · 联络员0A（A角）")
    await page.get_by_label("政策领域 *", exact=True).fill("   ")
    await page.get_by_role("button", name="登记", exact=True).click()
    await page.wait_for_load_state()
    assert "请填写咨询的政策领域" in await page.locator("#err-policy_area").inner_text()
    await browser.shot(page, "specialists-error")
    await no_serious_axe(browser, page)
    await page.get_by_label("政策领域 *", exact=True).fill("稳岗补贴")
    await page.get_by_role("button", name="登记", exact=True).click()
    await page.wait_for_url("**/console/specialists?done=added")
    await page.get_by_label("专员 *", exact=True).select_option(label="柳林洲街道 · 联络员1B（B角）")
    await page.get_by_label("政策领域 *", exact=True).fill("税收优惠")
    await page.get_by_role("button", name="登记", exact=True).click()
    await page.wait_for_url("**/console/specialists?done=added")
    rows = await page.locator("#specialists-table tbody tr").all_inner_texts()
    assert len(rows) == 2 and "稳岗补贴" in rows[0] + rows[1]
    await browser.shot(page, "specialists-list")
    await no_serious_axe(browser, page)

    [first] = [e for e in await enterprise.list_specialists(session) if e.policy_area == "稳岗补贴"]
    await page.locator(f"#s-{first.id}").get_by_role("link").click()
    await page.get_by_role("heading", name="停用政策专员").wait_for()
    await browser.shot(page, "specialist-remove")
    await no_serious_axe(browser, page)
    await page.get_by_role("button", name="确认停用").click()
    await page.wait_for_url("**/console/specialists?done=removed")
    assert [e.policy_area for e in await enterprise.list_specialists(session)] == ["税收优惠"]
    await browser.shot(page, "specialists-after")
