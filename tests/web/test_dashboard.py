"""总览 in a real browser: the numbers an office worker reads first, each a link to the
tickets behind it, the duty status and the charts; a handler sees its unit's numbers only."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.web.conftest import Accounts, Browser, dispatched, file_ticket
from tickets import service as svc
from tickets.clock import ManualClock, shanghai
from tickets.context import Rules


async def test_dashboard_numbers_link_to_their_lists(
    browser: Browser, accounts: Accounts, org: Org, session: AsyncSession, rules: Rules, clock: ManualClock
) -> None:
    # 30 days ago: a ticket for unit 0, still open (over the 25-day line, and overdue).
    clock.set(shanghai(2026, 10, 23, 10, 0))
    old = await dispatched(session, rules, org, "老小区外墙脱落，存在安全隐患。", unit=0)
    # Monday a week ago: a ticket for unit 1 whose 5 working days end today at 11:00.
    clock.set(shanghai(2026, 11, 16, 11, 0))
    due_today = await dispatched(session, rules, org, "小区绿化带被占用种菜。", unit=1)
    clock.set(shanghai(2026, 11, 23, 9, 30))
    await file_ticket(session, rules, "今天早上小区停水了。")
    returned = await dispatched(session, rules, org, "路面塌陷需要修复。", unit=0)
    await svc.request_return(
        session,
        rules=rules,
        actor=org.handler(0),
        number=returned,
        reason="道路归街道管。",
        suggested_unit="柳林洲街道",
    )
    await session.commit()
    clock.set(shanghai(2026, 11, 23, 10, 0))

    page = await browser.new_page()
    await browser.sign_in(page, accounts.office)
    numbers = {key: await page.locator(f"#n-{key}").inner_text()
               for key in ("today", "open", "due-today", "overdue", "over-warning", "queue", "approvals",
                           "callback")}
    assert numbers == {"today": "2", "open": "4", "due-today": "1", "overdue": "1", "over-warning": "1",
                       "queue": "1", "approvals": "1", "callback": "0"}
    await page.locator("#chart-daily[data-drawn='1']").wait_for()
    await page.locator("#chart-categories[data-drawn='1']").wait_for()
    assert "尚未登录（2 个，16:00 截止）" in await page.locator("main").inner_text()
    await browser.shot(page, "office")
    assert await browser.axe(page) == []
    await page.locator("a.tile", has_text="已超期").click()
    assert await page.locator("#total").inner_text() == "1"
    assert old in await page.locator("#ticket-table").inner_text()
    await page.go_back()
    await page.locator("a.tile", has_text="今日到期").click()
    assert due_today in await page.locator("#ticket-table").inner_text()
    await browser.shot(page, "due-today-list")

    handler = await browser.context.browser.new_context()
    other = await handler.new_page()
    await browser.sign_in(other, accounts.handler1)
    assert await other.locator("#n-open").inner_text() == "1"
    assert await other.locator("#n-queue").count() == 0  # the office's tiles are not a unit's
    assert await other.locator("#chart-daily").count() == 0
    await browser.shot(other, "handler")
    await handler.close()
