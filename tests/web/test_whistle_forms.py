"""吹哨报到 on the workbench, in a real browser: the street's handler whistles from the ticket
page, the summoned department sees the ticket (contact masked) with only the 报到 form and
reports in; the street records the on-site meeting."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.web.conftest import Accounts, Browser, dispatched
from tickets.context import Rules
from tickets.enums import Action
from tickets.queries import get_ticket, ticket_events
from tickets.whistle_models import WhistleSummons


async def test_whistle_report_in_and_meeting_on_the_ticket_page(
    browser: Browser, accounts: Accounts, org: Org, session: AsyncSession, rules: Rules
) -> None:
    number = await dispatched(
        session, rules, org, "老旧小区外墙脱落，涉及住建部门，街道无法单独处置。", unit=1, accepted=True
    )
    street = await browser.new_page()
    await browser.sign_in(street, accounts.handler1)
    await street.goto(f"{browser.base_url}/console/tickets/{number}")
    assert await street.locator("#form-whistle_meeting").count() == 0  # no whistle yet, no meeting
    await street.locator("summary", has_text="吹哨").first.click()
    form = street.locator("#form-whistle")
    await form.get_by_label("点名报到单位（可多选，按住 Ctrl）").select_option(label=org.unit_names[0])
    await form.get_by_label("吹哨事由").fill("外墙脱落危及行人，需住建部门到场")
    await form.get_by_role("button", name="吹哨").click()
    await street.wait_for_url("**?done=whistle")
    assert "已吹哨，已通知点名单位报到" in await street.locator("#done").inner_text()
    assert await street.locator("#form-whistle").count() == 0  # one open whistle at a time

    department = await browser.new_page()
    await department.context.clear_cookies()
    await browser.sign_in(department, accounts.handler0)
    await department.goto(f"{browser.base_url}/console/tickets/{number}")
    assert await department.locator("#contact-phone").inner_text() == "139****5678"
    assert await department.locator("form[id^=form-]").evaluate_all("fs => fs.map(f => f.id)") == [
        "form-report_in"
    ]
    await browser.shot(department, "report-in")
    await department.locator("#form-report_in").get_by_role("button", name="报到").click()
    await department.wait_for_url("**?done=report_in")
    assert await department.locator("form[id^=form-]").count() == 0

    # The pages share one browser context: the street's handler signs in again.
    await street.context.clear_cookies()
    await browser.sign_in(street, accounts.handler1)
    await street.goto(f"{browser.base_url}/console/tickets/{number}")
    await street.locator("summary", has_text="吹哨现场会").click()
    meeting = street.locator("#form-whistle_meeting")
    await meeting.get_by_label("现场会地点").fill("柳林小区3栋楼下")
    await meeting.get_by_label("参会人员（每行一个，或用顿号分隔）").fill("柳林洲街道、区住建局")
    await meeting.get_by_label("议定事项").fill("住建局当日拉设警戒线，街道督促物业修复外墙")
    await meeting.get_by_role("button", name="吹哨现场会").click()
    await street.wait_for_url("**?done=whistle_meeting")
    await browser.shot(street, "whistle-meeting")
    timeline = await street.locator("#timeline").inner_text()
    assert "吹哨" in timeline and "报到" in timeline and "吹哨现场会" in timeline

    session.expire_all()
    ticket = await get_ticket(session, number=number)
    assert [e.action for e in await ticket_events(session, ticket_id=ticket.id or 0)][-3:] == [
        Action.WHISTLE, Action.REPORT_IN, Action.WHISTLE_MEETING]
    summons = (await session.exec(select(WhistleSummons))).one()
    assert summons.reported_in_via == "web"
