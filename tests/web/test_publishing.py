"""信箱公开 and 政企通专员 over HTTP: each action of the office, and the refused ones (no
consent, not closed, a handler, a bad form, a missing CSRF token), with what the page says."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.tickets.test_mailbox import WRITER, handle, letter
from tests.web.conftest import Accounts
from tests.web.test_foundation import csrf_of, sign_in
from tickets import enterprise, mailbox
from tickets.clock import ManualClock
from tickets.context import Rules
from tickets.enums import Action
from tickets.models import PolicySpecialist, TicketEvent
from web.console import texts


async def _closed_letter(session: AsyncSession, rules: Rules, clock: ManualClock, org: Org,
                         **changes: Any) -> str:
    ticket = await mailbox.write_letter(session, rules=rules, actor=WRITER, letter=letter(**changes))
    await session.commit()
    await handle(session, rules, clock, org, ticket.number)
    return ticket.number


async def _as(client: TestClient[Any, Any], account: Any) -> str:
    assert (await sign_in(client, account.login, account.password)).status == 303
    return await csrf_of(client, "/console/")


async def _events(session: AsyncSession, number: str) -> list[TicketEvent]:
    ticket = await mailbox.get_ticket(session, number=number)
    rows = await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                              .order_by(col(TicketEvent.id)))
    return list(rows.all())


async def test_the_office_previews_publishes_and_withdraws_a_letter(
        client: TestClient[Any, Any], accounts: Accounts, session: AsyncSession, rules: Rules,
        clock: ManualClock, org: Org) -> None:
    await _as(client, accounts.office)
    empty = await (await client.get("/console/mailbox")).text()
    assert texts.MAILBOX_EMPTY in empty
    number = await _closed_letter(session, rules, clock, org)
    token = await _as(client, accounts.office)  # the day the letter took ended the first session
    listed = await (await client.get("/console/mailbox?show=ready")).text()
    assert number in listed and texts.MAILBOX_STATE_READY in listed
    preview = await (await client.get(f"/console/mailbox/{number}")).text()
    shown = preview.split('id="preview"')[1].split("</section>")[0]
    # The preview is the cleaned text: no name, phone, ID number, e-mail or room number.
    for private in ("王小明", "13812345678", "110101199003071234", "wxm@example.com", "1201"):
        assert private not in shown, private
    assert "道路破损半年" in shown and 'id="publish-form"' in preview
    # Without the CSRF token nothing happens.
    assert (await client.post(f"/console/mailbox/{number}/publish", allow_redirects=False)).status == 403
    response = await client.post(f"/console/mailbox/{number}/publish", data={"_csrf": token},
                                 allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"/console/mailbox/{number}?done=publish"
    assert [p.number for p in await mailbox.published_letters(session)] == [number]
    published = await (await client.get(f"/console/mailbox/{number}?done=publish")).text()
    assert texts.MAILBOX_DONE["publish"] in published and 'id="unpublish-form"' in published
    # The public page shows it now (so its absence after the withdrawal below means something).
    assert "幸福小区" in await (await client.get("/h5/mailbox/public")).text()
    # Twice: refused with the reason (the page of the letter, 409).
    again = await client.post(f"/console/mailbox/{number}/publish", data={"_csrf": token})
    assert again.status == 409 and "已经公开" in await again.text()
    # Withdrawn only with a reason; the trail keeps both steps and who took them.
    bare = await client.post(f"/console/mailbox/{number}/unpublish", data={"_csrf": token, "reason": " "})
    assert bare.status == 422 and "撤回公开的原因" in await bare.text()
    response = await client.post(f"/console/mailbox/{number}/unpublish",
                                 data={"_csrf": token, "reason": "来信人来电要求撤下"}, allow_redirects=False)
    assert response.status == 303
    assert await mailbox.published_letters(session) == []
    trail = [(e.action, e.actor_name, e.note) for e in (await _events(session, number))[-2:]]
    assert trail == [(Action.PUBLISH, "王主任", ""), (Action.UNPUBLISH, "王主任", "来信人来电要求撤下")]
    public = await (await client.get("/h5/mailbox/public")).text()
    assert "幸福小区" not in public


async def test_letters_that_cannot_be_published_say_why_and_are_refused(
        client: TestClient[Any, Any], accounts: Accounts, session: AsyncSession, rules: Rules,
        clock: ManualClock, org: Org) -> None:
    number = await _closed_letter(session, rules, clock, org, publish_consent=False)
    token = await _as(client, accounts.office)
    listed = await (await client.get("/console/mailbox?show=blocked")).text()
    assert number in listed and "来信人未同意公开" in listed
    preview = await (await client.get(f"/console/mailbox/{number}")).text()
    assert 'id="mailbox-blocked"' in preview and 'id="publish-form"' not in preview
    forced = await client.post(f"/console/mailbox/{number}/publish", data={"_csrf": token})
    assert forced.status == 409 and "来信人未同意公开" in await forced.text()
    assert await mailbox.published_letters(session) == []
    assert [e.action for e in await _events(session, number)][-1] is not Action.PUBLISH
    # A handler gets neither the list nor the letter, nor the action.
    client.session.cookie_jar.clear()
    handler_token = await _as(client, accounts.handler0)
    assert (await client.get("/console/mailbox")).status == 403
    assert (await client.get(f"/console/mailbox/{number}")).status == 403
    refused = await client.post(f"/console/mailbox/{number}/publish", data={"_csrf": handler_token})
    assert refused.status == 403


async def test_the_office_adds_and_stops_a_specialist(
        client: TestClient[Any, Any], accounts: Accounts, session: AsyncSession, org: Org) -> None:
    token = await _as(client, accounts.office)
    page = await (await client.get("/console/specialists")).text()
    assert texts.SPECIALISTS_EMPTY in page and "联络员0A" in page  # a candidate in the form
    staff = org.handler(0).id
    response = await client.post("/console/specialists", allow_redirects=False,
                                 data={"_csrf": token, "staff_id": str(staff), "policy_area": " 稳岗补贴 "})
    assert response.status == 303 and response.headers["Location"] == "/console/specialists?done=added"
    [entry] = await enterprise.list_specialists(session)
    assert (entry.unit, entry.name, entry.policy_area) == (org.unit_names[0], "联络员0A", "稳岗补贴")
    listed = await (await client.get(f"/console/specialists?unit_id={org.unit_ids[0]}")).text()
    assert "稳岗补贴" in listed and f'href="/console/specialists/{entry.id}/remove"' in listed
    other = await (await client.get(f"/console/specialists?unit_id={org.unit_ids[1]}")).text()
    assert texts.SPECIALISTS_EMPTY_FILTER in other
    # Stopping asks first, then keeps the row (old tickets still name who served them).
    ask = await (await client.get(f"/console/specialists/{entry.id}/remove")).text()
    assert "确定停用区住建局的联络员0A在“稳岗补贴”领域的政策专员资格吗？" in ask
    response = await client.post(f"/console/specialists/{entry.id}/remove", data={"_csrf": token},
                                 allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/console/specialists?done=removed"
    assert await enterprise.list_specialists(session) == []
    row = await session.get(PolicySpecialist, entry.id)
    assert row is not None and not row.active and row.deactivated_by == "王主任"
    stopped_at = row.deactivated_at
    # Sent twice: nothing changes.
    await client.post(f"/console/specialists/{entry.id}/remove", data={"_csrf": token})
    await session.refresh(row)
    assert row.deactivated_at == stopped_at
    shown = await (await client.get("/console/specialists?all=yes")).text()
    assert texts.SPECIALIST_STOPPED in shown
    stopped = await (await client.get(f"/console/specialists/{entry.id}/remove")).text()
    assert texts.SPECIALIST_ALREADY_STOPPED in stopped and 'id="remove-form"' not in stopped


async def test_a_bad_specialist_form_says_why_next_to_the_field(
        client: TestClient[Any, Any], accounts: Accounts, session: AsyncSession, org: Org) -> None:
    token = await _as(client, accounts.office)
    staff = str(org.handler(1).id)

    async def post(**data: str) -> tuple[int, str]:
        response = await client.post("/console/specialists", data={"_csrf": token, **data})
        return response.status, await response.text()

    status, page = await post(policy_area="稳岗补贴")
    assert status == 422 and f'id="err-staff_id" role="alert">{texts.ERR_SPECIALIST_STAFF}' in page
    assert 'value="稳岗补贴"' in page  # what was typed stays
    status, page = await post(staff_id=staff, policy_area="  ")
    assert status == 422 and 'id="err-policy_area" role="alert">请填写咨询的政策领域' in page
    status, page = await post(staff_id=str(org.actor_office().id), policy_area="税收优惠")  # not a handler
    assert status == 422 and 'id="err-staff_id"' in page
    status, page = await post(staff_id="abc", policy_area="税收优惠")
    assert status == 422 and "“专员”须为数字" in page
    assert (await post(staff_id=staff, policy_area="税收优惠"))[0] == 200  # followed to the list
    status, page = await post(staff_id=staff, policy_area="税收优惠")
    assert status == 409 and 'id="err-staff_id" role="alert">“联络员1A”已是“税收优惠”领域的政策专员。' in page
    assert [e.policy_area for e in await enterprise.list_specialists(session)] == ["税收优惠"]
    # A handler may not add anyone.
    client.session.cookie_jar.clear()
    handler_token = await _as(client, accounts.handler1)
    refused = await client.post("/console/specialists", data={"_csrf": handler_token, "staff_id": staff,
                                                              "policy_area": "稳岗补贴"})
    assert refused.status == 403
    assert len(await enterprise.list_specialists(session)) == 1
