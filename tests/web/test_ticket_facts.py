"""The ticket page of an enterprise request (政企通) and of a 市长信箱 letter over HTTP, for each
role: the office, the handling unit, a unit summoned by a whistle (which sees the enterprise and
the writer masked, as it sees a citizen's contact) and another unit (not found). And the H5
tracking page's rating form speaking of a letter to its writer."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.tickets.test_enterprise import enterprise_draft, register
from tests.tickets.test_mailbox import WRITER, letter
from tests.tickets.test_service import full_reply
from tests.web.conftest import Accounts
from tests.web.test_h5_http import PHONE, _verified, csrf, h5  # noqa: F401  (h5 is a fixture)
from tests.web.test_publishing import _as
from tickets import enterprise, mailbox, whistles
from tickets import service as svc
from tickets.clock import ManualClock
from tickets.context import Actor, Rules
from web.console import texts
from web.h5 import texts as h5_texts

CODE = "91350100M000100Y43"
COMPANY = "福州某某科技有限公司"


def _facts(html: str, ident: str) -> str:
    return html.split(f'id="{ident}"', 1)[1].split("</dl>", 1)[0]


async def enterprise_request(session: AsyncSession, rules: Rules, org: Org, *, area: str = "稳岗补贴",
                             specialist: bool = True) -> str:
    if specialist:
        await register(session, rules, org, 0, 0, area)
    caller = enterprise.EnterpriseCaller.checked(credit_code=CODE, company_name=COMPANY, policy_area=area)
    filed = await enterprise.file_enterprise_request(session, rules=rules, actor=Actor.system("话务"),
                                                     data=enterprise_draft(), caller=caller)
    await session.commit()
    return filed.ticket.number


async def summon(session: AsyncSession, rules: Rules, org: Org, number: str) -> None:
    """Unit 1 summoned by unit 0's whistle: it sees the ticket, without the caller's identity."""
    await whistles.blow(session, rules=rules, actor=org.handler(0), number=number,
                        unit_ids=[org.unit_ids[1]], reason="需要街道配合核实")
    await session.commit()


async def test_an_enterprise_request_shows_the_enterprise_specialist_and_terms(
        client: TestClient[Any, Any], accounts: Accounts, session: AsyncSession, rules: Rules,
        org: Org) -> None:
    number = await enterprise_request(session, rules, org)
    for account in (accounts.office, accounts.handler0):
        client.session.cookie_jar.clear()
        await _as(client, account)
        page = await (await client.get(f"/console/tickets/{number}")).text()
        facts = _facts(page, "enterprise")
        assert texts.TICKET_ENTERPRISE in page
        for shown in (COMPANY, CODE, "稳岗补贴", "联络员0A"):
            assert shown in facts, (account.login, shown)
        terms = _facts(page, "deadline-h")
        assert "政企通时限：先行联系 1个工作日，办结 3个工作日" in terms
    # Another unit: the ticket does not exist for it.
    client.session.cookie_jar.clear()
    await _as(client, accounts.handler1)
    assert (await client.get(f"/console/tickets/{number}")).status == 404
    # Summoned by a whistle: it sees the request, the company and code masked like the caller.
    await summon(session, rules, org, number)
    page = await (await client.get(f"/console/tickets/{number}")).text()
    facts = _facts(page, "enterprise")
    assert COMPANY not in page and CODE not in page
    assert "福州********" in facts and "91************0Y43" in facts and "稳岗补贴" in facts
    assert "李会计" not in page and "13912345678" not in page


async def test_an_enterprise_request_without_specialist_says_the_office_dispatches(
        client: TestClient[Any, Any], accounts: Accounts, session: AsyncSession, rules: Rules,
        org: Org) -> None:
    number = await enterprise_request(session, rules, org, area="税收优惠", specialist=False)
    await _as(client, accounts.office)
    page = await (await client.get(f"/console/tickets/{number}")).text()
    assert texts.TICKET_NO_SPECIALIST in _facts(page, "enterprise")
    # The enterprise terms apply whoever dispatches it (tickets.service.is_enterprise).
    assert 'id="enterprise-terms">政企通时限：先行联系 1个工作日' in page
    # An ordinary ticket has neither card.
    assert 'id="letter"' not in page


async def test_a_letter_shows_its_title_consent_and_publication(
        client: TestClient[Any, Any], accounts: Accounts, session: AsyncSession, rules: Rules,
        clock: ManualClock, org: Org) -> None:
    from tests.tickets.test_mailbox import handle

    ticket = await mailbox.write_letter(session, rules=rules, actor=WRITER,
                                        letter=letter(title="王小明反映幸福小区门口道路破损"))
    await session.commit()
    number = ticket.number
    await handle(session, rules, clock, org, number)
    await session.commit()
    await _as(client, accounts.office)
    page = await (await client.get(f"/console/tickets/{number}")).text()
    facts = _facts(page, "letter")
    assert "王小明反映幸福小区门口道路破损" in facts and "同意公开" in facts
    assert texts.TICKET_NOT_PUBLISHED in facts and f'href="/console/mailbox/{number}"' in facts
    assert 'id="enterprise"' not in page
    await mailbox.publish(session, rules=rules, actor=org.actor_office(), number=number)
    await session.commit()
    published = _facts(await (await client.get(f"/console/tickets/{number}")).text(), "letter")
    assert "已公开（" in published and texts.TICKET_NOT_PUBLISHED not in published
    # The handling unit: the same facts, no link to a screen that is the office's.
    client.session.cookie_jar.clear()
    await _as(client, accounts.handler0)
    facts = _facts(await (await client.get(f"/console/tickets/{number}")).text(), "letter")
    assert "王小明反映幸福小区门口道路破损" in facts and "已公开（" in facts
    assert "/console/mailbox" not in facts
    client.session.cookie_jar.clear()
    await _as(client, accounts.handler1)
    assert (await client.get(f"/console/tickets/{number}")).status == 404


async def test_a_summoned_unit_sees_a_letter_title_without_the_writer(
        client: TestClient[Any, Any], accounts: Accounts, session: AsyncSession, rules: Rules,
        org: Org) -> None:
    ticket = await mailbox.write_letter(session, rules=rules, actor=WRITER,
                                        letter=letter(title="王小明反映道路破损，电话13812345678",
                                                      publish_consent=False))
    await session.commit()
    await svc.dispatch(session, rules=rules, actor=org.actor_office(), number=ticket.number,
                       unit_id=org.unit_ids[0])
    await session.commit()
    await summon(session, rules, org, ticket.number)
    await _as(client, accounts.handler1)
    page = await (await client.get(f"/console/tickets/{ticket.number}")).text()
    facts = _facts(page, "letter")
    assert "王小明" not in page and "13812345678" not in page
    assert "138****5678" in facts and "不同意公开" in facts and texts.TICKET_NOT_PUBLISHED in facts


async def test_the_rating_form_of_a_letter_speaks_of_the_letter(
        h5: TestClient[Any, Any],  # noqa: F811
        session: AsyncSession, org: Org) -> None:
    from integrations.state import RULES

    rules = h5.server.app[RULES]
    token = await csrf(h5, "/h5/mailbox")
    await _verified(h5, session, token)
    ticket = await mailbox.write_letter(session, rules=rules, actor=WRITER,
                                        letter=letter(contact_phone=PHONE))
    number = ticket.number
    await svc.dispatch(session, rules=rules, actor=org.actor_office(), number=number, unit_id=org.unit_ids[0])
    await svc.first_contact(session, rules=rules, actor=org.handler(0), number=number, reached=True)
    await svc.reply(session, rules=rules, actor=org.handler(0), number=number, data=full_reply())
    await session.commit()
    found = await h5.post("/h5/track", data={"_csrf": token, "number": number, "digits": PHONE[-4:]},
                          allow_redirects=False)
    link = found.headers["Location"]
    page = await (await h5.get(link)).text()
    form = page.split('id="rate-form"', 1)[1].split("</form>", 1)[0]
    for said in (h5_texts.LETTER_RATE_TITLE, h5_texts.LETTER_RATE_INTRO, h5_texts.LETTER_RATE_CONTACTED,
                 h5_texts.LETTER_RATE_ANSWERED, h5_texts.LETTER_RATE_SOLVED,
                 h5_texts.LETTER_RATE_SATISFACTION):
        assert said in form, said
    assert "诉求" not in form and "工单" not in form
    rated = await h5.post(f"{link}/rate", allow_redirects=False, data={
        "_csrf": token, "contacted": "y", "answered": "y", "solved": "y", "satisfaction": "satisfied"})
    assert rated.status == 303
    after = await (await h5.get(rated.headers["Location"])).text()
    assert h5_texts.LETTER_RATE_DONE_CLOSED.format(number=number) in after and "工单" not in after.split(
        'role="status">', 1)[1].split("</p>", 1)[0]
