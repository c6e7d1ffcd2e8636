"""The office's desk in a real browser: the dispatch queue (suggested units, one click,
several at once, new tickets appearing by themselves) and the approvals of returns and
extensions."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.web.conftest import Accounts, Browser, dispatched, file_ticket
from tickets import service as svc
from tickets.context import Rules
from tickets.enums import Action, TicketStatus
from tickets.queries import get_ticket, ticket_events


async def test_dispatch_from_the_queue(browser: Browser, accounts: Accounts, org: Org, session: AsyncSession,
                                       rules: Rules) -> None:
    power = await file_ticket(session, rules, "我家突然停电了，已经三个小时，请尽快派人抢修。")
    roof = await file_ticket(session, rules, "老房子屋顶漏水，物业说不归他们维修。")
    page = await browser.new_page()
    await browser.sign_in(page, accounts.office, path="/console/queue")
    row = page.locator(f"#q-{power}")
    # The router's first suggestion, with its confidence, is one click away.
    first = row.get_by_role("button").first
    assert (await first.inner_text()).startswith("供电分公司（")
    await browser.shot(page, "queue")
    await first.click()
    await page.wait_for_url("**/console/queue?done=1")
    assert "已派出 1 件工单" in await page.locator("#done").inner_text()
    assert await page.locator(f"#q-{power}").count() == 0
    assert await page.locator(f"#q-{roof}").count() == 1
    session.expire_all()
    ticket = await get_ticket(session, number=power)
    assert ticket.status is TicketStatus.DISPATCHED and ticket.main_unit_id == org.unit_ids[2]

    # A ticket arriving while the page is open shows up by itself (server-sent events).
    street = await file_ticket(session, rules, "街道小区门口的垃圾好几天没人清运了。")
    await page.locator(f"#q-{street}").wait_for(timeout=8000)
    assert await page.locator("#queue-table").get_attribute("data-total") == "2"

    # Several at once, each to the unit chosen in its row.
    await page.get_by_label(f"选择 {roof}").check()
    await page.get_by_label(f"选择 {street}").check()
    await page.get_by_label(f"{street} 派往").select_option(label=org.unit_names[1])
    await page.get_by_role("button", name="派出选中的工单").click()
    await page.wait_for_url("**/console/queue?done=2")
    assert await page.locator("#queue-empty").count() == 1
    session.expire_all()
    assert (await get_ticket(session, number=roof)).main_unit_id == org.unit_ids[0]
    assert (await get_ticket(session, number=street)).main_unit_id == org.unit_ids[1]
    assert await browser.axe(page) == []


async def test_approve_a_return_and_refuse_an_extension(browser: Browser, accounts: Accounts, org: Org,
                                                        session: AsyncSession, rules: Rules) -> None:
    returned = await dispatched(session, rules, org, "小区供电线路老化，经常跳闸停电。", unit=0)
    await svc.request_return(session, rules=rules, actor=org.handler(0), number=returned,
                             reason="供电线路归供电公司管理。", suggested_unit="供电分公司")
    extended = await dispatched(session, rules, org, "小区道路破损严重需要重新铺设。", unit=1, accepted=True)
    await svc.request_extension(session, rules=rules, actor=org.handler(1), number=extended, days=5,
                                reason="需要施工队进场，预计一周。")
    await session.commit()
    page = await browser.new_page()
    await browser.sign_in(page, accounts.office, path="/console/approvals")
    card = page.locator(f"#a-{returned}")
    assert "供电线路归供电公司管理" in await card.inner_text()
    # The presumed unit is the suggestion already chosen.
    assert await card.get_by_label("同意时改派给").input_value() == str(org.unit_ids[2])
    await browser.shot(page, "approvals")
    await card.get_by_role("button", name="同意", exact=True).click()
    await page.wait_for_url("**/console/approvals?done=decide_return")
    assert "已处理退单申请" in await page.locator("#done").inner_text()
    assert await page.locator(f"#a-{returned}").count() == 0

    card = page.locator(f"#a-{extended}")
    await card.get_by_role("button", name="不同意").click()
    await page.wait_for_load_state()
    # Refusing needs a reason: the service says so, and nothing changed.
    assert "请填写不同意延期的理由" in await page.locator("#action-error").inner_text()
    await page.goto(browser.base_url + "/console/approvals")
    card = page.locator(f"#a-{extended}")
    await card.get_by_label("意见（不同意时必填）").fill("请先行施工，剩余部分另行申请。")
    await card.get_by_role("button", name="不同意").click()
    await page.wait_for_url("**/console/approvals?done=decide_extension")
    assert await page.locator("#approvals-empty").count() == 1

    session.expire_all()
    moved = await get_ticket(session, number=returned)
    assert moved.status is TicketStatus.DISPATCHED and moved.main_unit_id == org.unit_ids[2]
    kept = await get_ticket(session, number=extended)
    assert kept.status is TicketStatus.ACCEPTED and kept.extended_days == 0
    events = [(e.action, e.actor_name) for e in await ticket_events(session, ticket_id=kept.id or 0)]
    assert events[-1] == (Action.REFUSE_EXTENSION, "王主任")
