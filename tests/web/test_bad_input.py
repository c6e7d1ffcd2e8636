"""Bad input on the console: 10,000-character fields, script tags in every text field
(shown as text), unknown ticket numbers, a form sent twice, a session that expired while
a form was open — each a clear message and nothing half-written."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.web.conftest import Accounts, Browser, dispatched, file_ticket
from tickets.clock import ManualClock
from tickets.context import Rules
from tickets.enums import Action, TicketStatus
from tickets.queries import get_ticket, ticket_events

SCRIPT = "<script>window.hacked = 1</script><img src=x onerror=\"window.hacked = 2\">"


async def test_script_tags_are_text_and_long_fields_are_refused(
    browser: Browser, accounts: Accounts, org: Org, session: AsyncSession, rules: Rules
) -> None:
    number = await file_ticket(
        session, rules, f"楼下噪音扰民 {SCRIPT}", place=SCRIPT, contact_name="张<b>三</b>"
    )
    page = await browser.new_page()
    await browser.sign_in(page, accounts.office, path=f"/console/tickets/{number}")
    assert SCRIPT in await page.locator("#content").inner_text()
    assert await page.evaluate("() => window.hacked") is None
    # 10,000 characters in a note: refused with the field's name and the limit, nothing written.
    supervise = page.locator("details", has_text="督办")
    await supervise.locator("summary").click()
    await supervise.get_by_label("说明").evaluate(
        "(el, v) => { el.removeAttribute('maxlength'); el.value = v; }", "长" * 10_000
    )
    await supervise.get_by_role("button", name="督办").click()
    await page.wait_for_load_state()
    assert "“备注”超过 2000 字的上限" in await page.locator("#action-error").inner_text()
    session.expire_all()
    assert not (await get_ticket(session, number=number)).supervised
    # A note with markup is stored as typed and shown as text in the timeline.
    await page.goto(f"{browser.base_url}/console/tickets/{number}")
    supervise = page.locator("details", has_text="督办")
    await supervise.locator("summary").click()
    await supervise.get_by_label("说明").fill(SCRIPT)
    await supervise.get_by_role("button", name="督办").click()
    await page.wait_for_url("**?done=supervise")
    assert SCRIPT in await page.locator("#timeline").inner_text()
    assert await page.evaluate("() => window.hacked") is None
    await page.goto(f"{browser.base_url}/console/tickets?q=%3Cscript%3E")
    assert number in await page.locator("#ticket-table").inner_text()
    assert await page.evaluate("() => window.hacked") is None
    await browser.shot(page, "script-as-text")


async def test_unknown_numbers_and_garbage_filters(browser: Browser, accounts: Accounts) -> None:
    page = await browser.new_page()
    await browser.sign_in(page, accounts.office, path="/console/tickets/20991231999999")
    assert "未找到工单 20991231999999" in await page.locator("main").inner_text()
    await page.goto(f"{browser.base_url}/console/tickets/{'x' * 300}")
    assert "未找到工单" in await page.locator("main").inner_text()
    await page.goto(
        f"{browser.base_url}/console/tickets?state=nonsense&unit_id=abc&page=-4&received_from=2026-13-45"
    )
    assert "部分筛选条件格式不正确" in await page.locator("main").inner_text()
    await page.goto(f"{browser.base_url}/console/duty?date=yesterday")
    assert "日期格式不正确" in await page.locator("main").inner_text()
    await page.goto(f"{browser.base_url}/console/letters/99999")
    assert "未找到编号为 99999 的函件" in await page.locator("main").inner_text()


async def test_a_form_sent_twice_acts_once(
    browser: Browser, accounts: Accounts, org: Org, session: AsyncSession, rules: Rules
) -> None:
    number = await dispatched(session, rules, org, "路灯坏了三天没人修。", unit=1)
    page = await browser.new_page()
    await browser.sign_in(page, accounts.office, path=f"/console/tickets/{number}")
    form = page.locator("details", has_text="催办")
    await form.locator("summary").click()
    await form.get_by_label("说明").fill("请今天内处理。")
    # The same form posted twice (a double click that got through, a resent request).
    browser.expected_failures.append(f"/console/tickets/{number}/act/urge")
    posted = await page.evaluate("""async () => {
        const form = document.getElementById('form-urge');
        const send = () => fetch(form.action, {method: 'POST', body: new FormData(form), redirect: 'manual'});
        const first = await send();
        const second = await send();
        return [first.type === 'opaqueredirect' ? 303 : first.status, second.status];
    }""")
    assert posted == [303, 422]
    session.expire_all()
    ticket = await get_ticket(session, number=number)
    urges = [e for e in await ticket_events(session, ticket_id=ticket.id or 0) if e.action is Action.URGE]
    assert len(urges) == 1
    # The page says why the second one did nothing.
    await form.get_by_role("button", name="催办").click()
    await page.wait_for_load_state()
    assert "工单在您打开页面后已有变化" in await page.locator("#action-error").inner_text()


async def test_a_session_that_expired_mid_form(
    browser: Browser, accounts: Accounts, org: Org, session: AsyncSession, rules: Rules, clock: ManualClock
) -> None:
    number = await dispatched(session, rules, org, "小区门口积水严重。", unit=0)
    page = await browser.new_page()
    await browser.sign_in(page, accounts.handler0, path=f"/console/tickets/{number}")
    clock.advance(timedelta(minutes=45))  # lunch: the form stays open, the session ends
    await page.locator("#form-accept").get_by_role("button", name="接单").click()
    await page.wait_for_url("**/console/login?**expired=1")
    assert "登录已超时" in await page.locator("main").inner_text()
    session.expire_all()
    assert (await get_ticket(session, number=number)).status is TicketStatus.DISPATCHED
    # Signing in again leads back to the ticket, where the action can be done.
    await page.get_by_label("登录账号").fill(accounts.handler0.login)
    await page.get_by_label("密码").fill(accounts.handler0.password)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"**/console/tickets/{number}")
