"""The ticket page and the top navigation in a real Chromium at 1280 and 1024 px, for the office
and for a unit's handler: an enterprise request (政企通) and a 市长信箱 letter show what makes them
one, and every navigation entry sits on one row, inside the window. Each screen is checked with
axe and photographed (tests/web/screenshots/)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.web.conftest import Account, Accounts, Browser
from tests.web.test_h5_browser import no_serious_axe
from tests.web.test_publishing import _closed_letter
from tests.web.test_ticket_facts import CODE, COMPANY, enterprise_request
from tickets.clock import ManualClock
from tickets.context import Rules
from web.console import texts

WIDTHS = (1280, 1024)


async def nav_on_one_row(page: Any, width: int, entries: list[str]) -> None:
    links = page.locator(".mainnav a")
    assert await links.all_inner_texts() == entries
    boxes = [await links.nth(i).bounding_box() for i in range(await links.count())]
    tops = {round(box["y"]) for box in boxes}
    assert len(tops) == 1, tops  # no entry wrapped onto a second line
    assert max(box["x"] + box["width"] for box in boxes) <= width
    assert await page.evaluate("document.documentElement.scrollWidth") <= width
    header = await page.locator(".topbar").bounding_box()
    who = await page.locator(".who").bounding_box()
    assert who["x"] + who["width"] <= width and who["y"] < header["y"] + header["height"]


async def walk(browser: Browser, account: Account, who: str, entries: list[str], enterprise_no: str,
               letter_no: str) -> None:
    page = await browser.new_page()
    await browser.sign_in(page, account)
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 860})
        await page.goto(browser.base_url + f"/console/tickets/{enterprise_no}")
        facts = await page.locator("#enterprise").inner_text()
        for shown in (COMPANY, CODE, "稳岗补贴", "联络员0A"):
            assert shown in facts, shown
        assert "政企通时限" in await page.locator("#enterprise-terms").inner_text()
        await nav_on_one_row(page, width, entries)
        await browser.shot(page, f"{who}-enterprise-{width}")
        await no_serious_axe(browser, page)
        await page.goto(browser.base_url + f"/console/tickets/{letter_no}")
        letter = await page.locator("#letter").inner_text()
        assert "幸福小区门口道路破损" in letter and "同意公开" in letter
        await browser.shot(page, f"{who}-letter-{width}")
        await no_serious_axe(browser, page)
        await browser.shot(page, f"{who}-nav-{width}", full_page=False)


async def test_enterprise_request_letter_and_navigation_at_1280_and_1024(
        browser: Browser, accounts: Accounts, session: AsyncSession, rules: Rules, clock: ManualClock,
        org: Org) -> None:
    enterprise_no = await enterprise_request(session, rules, org)
    letter_no = await _closed_letter(session, rules, clock, org)
    office = [texts.NAV[k] for k in ("home", "queue", "approvals", "tickets", "duty", "letters", "rankings",
                                     "kb", "mailbox", "specialists")]
    await walk(browser, accounts.office, "office", office, enterprise_no, letter_no)
    page = await browser.new_page()  # the same browser: still signed in
    await page.goto(browser.base_url + f"/console/tickets/{letter_no}")
    await page.locator("#letter").get_by_role("link").click()
    await page.get_by_role("heading", name=texts.MAILBOX_HEADING.format(number=letter_no)).wait_for()
    await browser.context.clear_cookies()
    await walk(browser, accounts.handler0, "handler", [texts.NAV["home"], texts.NAV["mine"]], enterprise_no,
               letter_no)
