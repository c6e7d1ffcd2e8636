"""The ticket list and the ticket page in a real browser: an office worker and a unit's
handler take a ticket from dispatch to the reply, each through the forms the workflow allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.web.conftest import Accounts, Browser, dispatched, file_ticket
from tests.web.test_foundation import sign_in
from tickets import calls
from tickets import service as svc
from tickets.clock import ManualClock
from tickets.context import Rules
from tickets.enums import Action, CallOutcome, TicketStatus
from tickets.models import Ticket
from tickets.queries import get_ticket, ticket_events


async def send_reply(page: Any, text: str) -> None:
    """Fill the 办结回复 form as a clerk does, with `text` as its body, and send it."""
    reply = page.locator("#form-reply")
    await reply.get_by_label("办理结果").select_option(label="实际解决")
    await reply.get_by_label("回复正文（至少15字）").fill(text)
    await reply.get_by_label("联系人").fill("李工")
    await reply.get_by_label("调查核实情况").fill("楼道灯线路老化。")
    await reply.get_by_label("处理意见及依据").fill("已督促物业更换线路和灯具。")
    await reply.get_by_label("诉求人意见").fill("满意")
    await reply.get_by_role("button", name="办结回复").click()


async def test_office_dispatches_and_the_handler_replies(browser: Browser, accounts: Accounts, org: Org,
                                                         session: AsyncSession, rules: Rules) -> None:
    number = await file_ticket(
        session, rules, "小区楼道灯坏了一个月，物业一直不修，晚上很不安全。", place="柳林小区3栋"
    )
    office = await browser.new_page()
    await browser.sign_in(office, accounts.office)
    await office.goto(f"{browser.base_url}/console/tickets/{number}")
    assert "张三" in await office.locator("#contact-name").inner_text()
    await browser.shot(office, "received")
    form = office.locator("#form-dispatch")
    # The router's suggestions come first, with their confidence.
    assert "推荐" in await form.locator("select[name=unit_id] optgroup").first.get_attribute("label")
    await form.get_by_label("主办单位").select_option(label=org.unit_names[0])
    await form.get_by_role("button", name="派单").click()
    await office.wait_for_url(f"**/console/tickets/{number}?done=dispatch")
    assert "已派单" in await office.locator("#done").inner_text()
    assert await office.locator("#main-unit").inner_text() == org.unit_names[0]
    timeline = await office.locator("#timeline").inner_text()
    assert "派单" in timeline and "王主任" in timeline

    handler = await browser.new_page()
    await handler.context.clear_cookies()
    await browser.sign_in(handler, accounts.handler0)
    await handler.goto(f"{browser.base_url}/console/tickets")
    assert number in await handler.locator("#ticket-table").inner_text()
    await handler.get_by_role("link", name=number).click()
    await handler.locator("#form-accept").get_by_role("button", name="接单").click()
    await handler.wait_for_url("**?done=accept")
    first = handler.locator("#form-first_contact")
    await first.get_by_label("是", exact=True).check()
    await first.get_by_label("联系情况").fill("已电话联系张先生，约定明天上午查看。")
    await first.get_by_role("button", name="先行联系").click()
    await handler.wait_for_url("**?done=first_contact")
    # Missing elements: the service's message is shown and nothing is written.
    await send_reply(handler, "太短了")
    await handler.wait_for_load_state()
    assert "回复正文（至少 15 字）" in await handler.locator("#action-error").inner_text()
    # What was typed is still there, to be corrected rather than typed again.
    assert await handler.get_by_label("联系人").input_value() == "李工"
    assert await handler.get_by_label("办理结果").input_value() == "solved"
    await browser.shot(handler, "reply-refused")
    await send_reply(handler, "经查，楼道灯线路老化，已于今日督促物业更换线路和灯具，现已恢复照明。")
    await handler.wait_for_url("**?done=reply")
    await browser.shot(handler, "replied")
    session.expire_all()
    ticket = await get_ticket(session, number=number)
    assert ticket.status is TicketStatus.REPLIED and ticket.reply_details["contact_person"] == "李工"
    actions = [(e.action, e.actor_name) for e in await ticket_events(session, ticket_id=ticket.id or 0)]
    assert actions[1:] == [(Action.DISPATCH, "王主任"), (Action.ACCEPT, "联络员0A"),
                           (Action.FIRST_CONTACT, "联络员0A"), (Action.REPLY, "联络员0A")]
    assert await browser.axe(handler) == []


async def test_a_handler_sees_only_its_units_tickets(
    client: TestClient[Any, Any], accounts: Accounts, org: Org, session: AsyncSession, rules: Rules
) -> None:
    mine = await dispatched(session, rules, org, "供水管道破裂，路面积水。", unit=0)
    theirs = await dispatched(session, rules, org, "街道路灯不亮，附近居民夜间出行不便。", unit=1)
    assert (await sign_in(client, accounts.handler0.login, accounts.handler0.password)).status == 303
    listing = await (await client.get("/console/tickets?view=all")).text()
    assert mine in listing and theirs not in listing
    response = await client.get(f"/console/tickets/{theirs}")
    assert response.status == 404
    assert f"未找到工单 {theirs}" in await response.text()
    # Nor can it act on it: the same answer, and nothing happens.
    page = await (await client.get(f"/console/tickets/{mine}")).text()
    token = page.split('name="_csrf" value="')[1].split('"')[0]
    response = await client.post(f"/console/tickets/{theirs}/act/accept", data={"_csrf": token, "stamp": "x"})
    assert response.status == 404
    ticket = await session.get(Ticket, (await get_ticket(session, number=theirs)).id)
    assert ticket is not None and ticket.status is TicketStatus.DISPATCHED


async def test_the_calls_of_the_双呼_platform_on_the_ticket_page(
    browser: Browser, accounts: Accounts, org: Org, session: AsyncSession, rules: Rules, clock: ManualClock
) -> None:
    number = await dispatched(session, rules, org, "小区门口下水道堵塞，污水外溢。", accepted=True)
    handler = await browser.new_page()
    await browser.sign_in(handler, accounts.handler0)
    await handler.goto(f"{browser.base_url}/console/tickets/{number}")
    # The shipped policy has no 双呼 platform (call_evidence_since: null) and nothing was
    # posted: no card saying the platform sent nothing.
    assert await handler.locator("#calls").count() == 0
    await browser.shot(handler, "no-platform")

    # While the handler fills in the first-contact form, the platform posts the call just made.
    clock.advance(timedelta(minutes=20))
    dialed = clock.now() - timedelta(minutes=5)
    await svc.record_call(
        session,
        rules=rules,
        report=calls.CallReport(
            call_id="DC-77",
            ticket_number=number,
            calling_unit_id=org.unit_ids[0],
            calling_staff="联络员0A",
            callee_phone="13912345678",
            dialed_at=dialed,
            answered_at=dialed + timedelta(seconds=6),
            hung_up_at=dialed + timedelta(minutes=3),
            outcome=CallOutcome.ANSWERED,
            recording_ref="rec/DC-77.mp3",
        ),
    )
    await session.commit()
    first = handler.locator("#form-first_contact")
    await first.get_by_label("是", exact=True).check()
    await first.get_by_role("button", name="先行联系").click()
    # The call record is no one's action: the form made before it still goes through.
    await handler.wait_for_url("**?done=first_contact")
    # A record that arrives all the same is shown, with what it proves.
    assert (
        await handler.locator("#first-proof").inner_text() == "已由双呼通话证实：通话接通（2026-11-23 10:15）"
    )
    row = await handler.locator("#call-table tbody tr").inner_text()
    assert all(
        part in row
        for part in (
            "2026-11-23 10:15",
            "区住建局 · 联络员0A",
            "13912345678",
            "接通",
            "先行联系",
            "rec/DC-77.mp3",
        )
    )
    timeline = await handler.locator("#timeline").inner_text()
    assert "双呼通话记录" in timeline and "先行联系无通话佐证" not in timeline
    await browser.shot(handler, "calls")
    assert await browser.axe(handler) == []


async def test_the_calls_card_waits_for_the_platform_once_it_is_on(
    aiohttp_client: Any, make_app: Callable[..., web.Application], accounts: Accounts, org: Org,
    session: AsyncSession, rules: Rules, tmp_path: Path
) -> None:
    number = await dispatched(session, rules, org, "小区门口下水道堵塞，污水外溢。", accepted=True)
    off = await aiohttp_client(make_app())
    assert (await sign_in(off, accounts.handler0.login, accounts.handler0.password)).status == 303
    assert 'id="calls"' not in await (await off.get(f"/console/tickets/{number}")).text()

    policy = tmp_path / "policy.yaml"
    policy.write_text("contact:\n  call_evidence_since: 2026-11-01\n", encoding="utf-8")
    on = await aiohttp_client(make_app(policy_file=policy))
    assert (await sign_in(on, accounts.handler0.login, accounts.handler0.password)).status == 303
    page = await (await on.get(f"/console/tickets/{number}")).text()
    assert 'id="calls"' in page and "双呼平台尚未推送本工单的通话记录。" in page
    assert '<dd id="first-proof">尚无双呼通话证实</dd>' in page
