"""The office's checks in a real browser: the duty board at 16:00 with the units that did
not log in, the letters sent for them, their preview and the .docx download."""

from __future__ import annotations

import io

import docx
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.web.conftest import Accounts, Browser
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules
from tickets.duty import run_duty_login_check


async def test_duty_board_after_four_and_the_letters(
    browser: Browser, accounts: Accounts, org: Org, session: AsyncSession, rules: Rules, clock: ManualClock
) -> None:
    # 10:00: unit 0's handler signs in to the console, which is the unit's duty login.
    page = await browser.new_page()
    await browser.sign_in(page, accounts.handler0)
    await page.get_by_role("button", name="退出").click()
    # Before 16:00 nobody is late yet.
    clock.set(shanghai(2026, 11, 23, 15, 45))
    await browser.sign_in(page, accounts.office, path="/console/duty")
    assert "16:00 截止，尚有 2 个单位未登录（共 3 个）" in await page.locator("#duty-summary").inner_text()
    assert await page.locator("#duty-table tr.bad").count() == 0
    # 16:05: the check has run; two units are missing, in red, with a letter each.
    clock.set(shanghai(2026, 11, 23, 16, 5))
    await run_duty_login_check(session, rules=rules, at=clock.now())
    await session.commit()
    await page.goto(browser.base_url + "/console/duty")
    summary = await page.locator("#duty-summary").inner_text()
    assert summary == "16:00 前未登录的单位 2 个（共 3 个）：柳林洲街道、供电分公司"
    red = await page.locator("#duty-table tr.bad th").all_inner_texts()
    assert red == ["柳林洲街道", "供电分公司"]
    row = await page.locator("#duty-table tr[data-unit='区住建局']").inner_text()
    assert "10:00" in row and "联络员0A" in row and "已登录" in row
    assert await page.locator("#duty-letters li").count() == 2
    await browser.shot(page, "duty")
    assert await browser.axe(page) == []

    # The letter: preview, then the Word file opens and says what the unit missed.
    await page.get_by_role("link", name="供电分公司 · 未按时登录值守提示函").click()
    assert "供电分公司" in await page.locator("#letter-body").inner_text()
    await browser.shot(page, "letter")
    async with page.expect_download() as waiting:
        await page.locator("#download").click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".docx")
    document = docx.Document(io.BytesIO((await download.path()).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "供电分公司" in text and "16:00" in text

    # The history keeps the day; the next working day starts afresh.
    clock.set(shanghai(2026, 11, 24, 9, 0))
    await page.goto(browser.base_url + "/console/duty")
    assert "登录已超时" in await page.locator("main").inner_text()  # idle overnight: signed out
    await browser.sign_in(page, accounts.office, path="/console/duty")
    history = await page.locator("#duty-history").inner_text()
    assert "2026-11-23" in history and "1 / 3" in history
    await page.goto(browser.base_url + "/console/letters?period=2026-11")
    assert await page.locator("#letters-table tbody tr").count() == 2
    await browser.shot(page, "letters")
