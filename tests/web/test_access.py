"""Who may open what: every console route × {anonymous, a handler of unit A, a handler of
unit B, the office}, table-driven. A test also fails when a console route is added without
a line here."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tests.web.conftest import Accounts, dispatched
from tests.web.test_foundation import sign_in
from tickets.clock import shanghai
from tickets.context import Rules
from tickets.duty import run_duty_login_check

OK, LOGIN, DENIED, MISSING = 200, 303, 403, 404
# path template → (anonymous, handler of unit 0 "A", handler of unit 1 "B", office). {a} is a
# ticket of unit 0, {letter} a letter to unit 1.
GET_ROUTES: dict[str, tuple[int, int, int, int]] = {
    "/console/login": (OK, LOGIN, LOGIN, LOGIN),  # signed in: straight to the console
    "/console/": (LOGIN, OK, OK, OK),
    "/console/tickets": (LOGIN, OK, OK, OK),
    "/console/tickets/{a}": (LOGIN, OK, MISSING, OK),
    "/console/tickets/2099010100001": (LOGIN, MISSING, MISSING, MISSING),
    "/console/tickets/{a}/photos/{sha}": (LOGIN, MISSING, MISSING, MISSING),  # no such photo
    "/console/queue": (LOGIN, DENIED, DENIED, OK),
    "/console/queue/events": (LOGIN, DENIED, DENIED, None),  # a stream: the office's is read below
    "/console/approvals": (LOGIN, DENIED, DENIED, OK),
    "/console/duty": (LOGIN, DENIED, DENIED, OK),
    "/console/letters": (LOGIN, DENIED, DENIED, OK),
    "/console/letters/{letter}": (LOGIN, DENIED, DENIED, OK),
    "/console/letters/{letter}/docx": (LOGIN, DENIED, DENIED, OK),
    "/console/rankings": (LOGIN, DENIED, DENIED, OK),
    "/console/rankings/bulletin.xlsx": (LOGIN, DENIED, DENIED, OK),
    "/console/rankings/bulletin.md": (LOGIN, DENIED, DENIED, OK),
    "/console/kb": (LOGIN, DENIED, DENIED, OK),
    "/console/kb/new": (LOGIN, DENIED, DENIED, OK),
    # not seeded here: 404 for the office
    "/console/kb/entry/hotline_12345": (LOGIN, DENIED, DENIED, MISSING),
    "/console/kb/import": (LOGIN, DENIED, DENIED, OK),
    "/console/kb/gaps": (LOGIN, DENIED, DENIED, OK),
    "/console/mailbox": (LOGIN, DENIED, DENIED, OK),
    "/console/mailbox/{a}": (LOGIN, DENIED, DENIED, MISSING),  # a ticket, not a mailbox letter
    "/console/specialists": (LOGIN, DENIED, DENIED, OK),
    "/console/specialists/0/remove": (LOGIN, DENIED, DENIED, MISSING),  # no such specialist
}
# Unsafe routes, posted with the viewer's own CSRF token and no other field: what the viewer
# gets back (a refusal, or the form's own complaint for those allowed to post it).
POST_ROUTES: dict[str, tuple[int, int, int, int]] = {
    "/console/login": (401, 401, 401, 401),  # no login name: "账号或密码不正确"
    "/console/logout": (LOGIN, LOGIN, LOGIN, LOGIN),
    "/console/tickets/{a}/act/urge": (LOGIN, DENIED, MISSING, 422),  # office: the form is stale (no stamp)
    "/console/queue/dispatch": (LOGIN, DENIED, DENIED, 422),
    "/console/kb/new": (LOGIN, DENIED, DENIED, 422),
    "/console/kb/entry/x": (LOGIN, DENIED, DENIED, MISSING),  # no such entry
    "/console/kb/import": (LOGIN, DENIED, DENIED, 422),
    "/console/kb/gaps": (LOGIN, DENIED, DENIED, 422),  # no answer, no cluster
    "/console/mailbox/{a}/publish": (LOGIN, DENIED, DENIED, MISSING),  # not a mailbox letter
    "/console/mailbox/{a}/unpublish": (LOGIN, DENIED, DENIED, MISSING),
    "/console/specialists": (LOGIN, DENIED, DENIED, 422),  # no one chosen
    "/console/specialists/0/remove": (LOGIN, DENIED, DENIED, MISSING),
}
ROLES = ("anonymous", "handler_a", "handler_b", "office")


def test_every_console_route_is_in_the_table(make_app: Any) -> None:
    app = make_app()
    routes = {(r.method, r.resource.canonical) for r in app.router.routes()
              if r.resource is not None and r.resource.canonical.startswith("/console")}
    listed = {("GET", p) for p in GET_ROUTES} | {("POST", p) for p in POST_ROUTES}
    canonical = {
        (
            m,
            p.replace("{a}", "{number}")
            .replace("/2099010100001", "/{number}")
            .replace("{letter}", "{notice_id}")
            .replace("hotline_12345", "{key}")
            .replace("entry/x", "entry/{key}")
            .replace("/act/urge", "/act/{name}")
            .replace("{sha}", "{sha256}")
            .replace("/specialists/0/", "/specialists/{specialist_id}/"),
        )
        for m, p in listed
    }
    missing = {(m, p) for m, p in routes if m in ("GET", "POST") and (m, p) not in canonical
               and p not in ("/console",)}
    assert missing == set()


async def _client_as(role: str, client: TestClient[Any, Any], accounts: Accounts) -> None:
    account = {"handler_a": accounts.handler0, "handler_b": accounts.handler1, "office": accounts.office}.get(
        role
    )
    if account is not None:
        assert (await sign_in(client, account.login, account.password)).status == 303


async def _token(client: TestClient[Any, Any], signed_in: bool) -> str:
    page = await (await client.get("/console/" if signed_in else "/console/login")).text()
    if 'name="_csrf" value="' not in page:
        return ""
    return page.split('name="_csrf" value="')[1].split('"')[0]


@pytest.mark.parametrize("role", ROLES)
async def test_route_access_by_role(role: str, client: TestClient[Any, Any], accounts: Accounts, org: Org,
                                    session: AsyncSession, rules: Rules, clock: Any) -> None:
    number = await dispatched(session, rules, org, "小区楼道堆满杂物，存在消防隐患。", unit=0)
    clock.set(shanghai(2026, 11, 23, 16, 5))
    await run_duty_login_check(session, rules=rules, at=clock.now())
    await session.commit()
    from tickets.letters import list_notices

    letter = (await list_notices(session, unit=str(org.unit_ids[1])))[0].id
    await _client_as(role, client, accounts)
    index = ROLES.index(role)
    seen: dict[str, int] = {}
    for template, expected in GET_ROUTES.items():
        if expected[index] is None:
            continue
        path = template.format(a=number, letter=letter, sha="0" * 64)
        response = await client.get(path, allow_redirects=False)
        seen[template] = response.status
        if response.status == LOGIN and role == "anonymous":
            assert response.headers["Location"].startswith("/console/login?next=")
    assert seen == {k: v[index] for k, v in GET_ROUTES.items() if v[index] is not None}
    token = await _token(client, role != "anonymous")
    posted: dict[str, int] = {}
    for template in POST_ROUTES:
        if template == "/console/logout":
            continue  # last: it ends the session
        response = await client.post(template.format(a=number), data={"_csrf": token}, allow_redirects=False)
        posted[template] = response.status
    response = await client.post("/console/logout", data={"_csrf": token}, allow_redirects=False)
    posted["/console/logout"] = response.status
    assert posted == {k: v[index] for k, v in POST_ROUTES.items()}


async def test_the_office_event_stream_opens(client: TestClient[Any, Any], accounts: Accounts) -> None:
    await _client_as("office", client, accounts)
    response = await client.get("/console/queue/events")
    assert response.status == 200 and response.headers["Content-Type"] == "text/event-stream"
    assert await response.content.readline() == b": connected\n"
    response.close()
