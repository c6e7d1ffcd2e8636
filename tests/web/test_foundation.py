"""The web foundation: sign-in and sign-out of the console in a real browser, the guard,
CSRF, lock-out, idle timeout, security headers and the app's own static files."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.web.conftest import Accounts, Browser
from tickets.clock import ManualClock
from web.console import texts
from web.models import StaffPassword


async def csrf_of(client: TestClient[Any, Any], path: str = "/console/login") -> str:
    page = await (await client.get(path)).text()
    marker = 'name="_csrf" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


async def sign_in(client: TestClient[Any, Any], login: str, password: str) -> Any:
    token = await csrf_of(client)
    return await client.post("/console/login", data={"_csrf": token, "login": login, "password": password,
                                                     "next": "/console/"}, allow_redirects=False)


async def test_anonymous_requests_go_to_sign_in(client: TestClient[Any, Any]) -> None:
    for path in ("/console/", "/console/tickets?state=received", "/console/no-such-page"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"].startswith("/console/login?next=")
    response = await client.get("/console/tickets?state=received", allow_redirects=False)
    assert response.headers["Location"] == "/console/login?next=/console/tickets?state%3Dreceived"


async def test_pages_and_assets_carry_security_headers(client: TestClient[Any, Any]) -> None:
    page = await client.get("/console/login")
    assert page.status == 200
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    html = await page.text()
    # Every script is the app's own file, versioned by its content; nothing from outside.
    assert '<script src="/static/vendor/htmx.min.js?v=' in html
    assert "http://" not in html and "https://" not in html
    for asset in ("vendor/htmx.min.js", "vendor/echarts.min.js", "vendor/htmx-sse.min.js", "css/web.css"):
        response = await client.get(f"/static/{asset}?v=1")
        assert response.status == 200, asset
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert len(await response.read()) > 1000


async def test_a_form_without_the_csrf_token_is_refused(client: TestClient[Any, Any], accounts: Accounts,
                                                        session: AsyncSession) -> None:
    response = await client.post("/console/login", data={"login": accounts.office.login,
                                                          "password": accounts.office.password})
    assert response.status == 403
    assert texts.ERR_BAD_CREDENTIALS not in (body := await response.text())
    assert "页面已过期或来源无法验证，操作未执行" in body
    # A wrong token is refused the same way, and the password was never checked.
    response = await client.post("/console/login", data={"_csrf": "0" * 64, "login": accounts.office.login,
                                                          "password": "wrong-1234567"})
    assert response.status == 403
    row = await session.get(StaffPassword, accounts.office.staff_id)
    assert row is not None and row.failed_attempts == 0
    # Signed in, the token is the session's: the sign-in page's token no longer works.
    anonymous_token = await csrf_of(client)
    assert (await sign_in(client, accounts.office.login, accounts.office.password)).status == 303
    response = await client.post("/console/logout", data={"_csrf": anonymous_token})
    assert response.status == 403
    assert (await client.get("/console/", allow_redirects=False)).status == 200


async def test_five_wrong_passwords_lock_the_account(client: TestClient[Any, Any], accounts: Accounts,
                                                     clock: ManualClock) -> None:
    for left in (4, 3, 2, 1):
        response = await sign_in(client, accounts.handler0.login, "Wrong-password-1")
        assert response.status == 401
        assert f"再错 {left} 次，账号将被暂时锁定" in await response.text()
    response = await sign_in(client, accounts.handler0.login, "Wrong-password-1")
    assert "账号已锁定，请 15 分钟后再试" in await response.text()
    # Locked: even the right password is refused until the lock ends.
    response = await sign_in(client, accounts.handler0.login, accounts.handler0.password)
    assert response.status == 401 and "账号已锁定" in await response.text()
    clock.advance(timedelta(minutes=16))
    response = await sign_in(client, accounts.handler0.login, accounts.handler0.password)
    assert response.status == 303 and response.headers["Location"] == "/console/"


async def test_an_unknown_login_is_told_like_a_wrong_password(client: TestClient[Any, Any],
                                                             accounts: Accounts) -> None:
    response = await sign_in(client, "nobody", accounts.office.password)
    assert response.status == 401
    assert texts.ERR_BAD_CREDENTIALS in await response.text()


async def test_an_idle_session_ends_and_says_so(client: TestClient[Any, Any], accounts: Accounts,
                                               clock: ManualClock) -> None:
    assert (await sign_in(client, accounts.office.login, accounts.office.password)).status == 303
    clock.advance(timedelta(minutes=29))
    assert (await client.get("/console/", allow_redirects=False)).status == 200
    clock.advance(timedelta(minutes=29))  # still active: each request renews the idle time
    assert (await client.get("/console/", allow_redirects=False)).status == 200
    clock.advance(timedelta(minutes=31))
    response = await client.get("/console/", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/console/login?next=/console/&expired=1"
    page = await (await client.get(response.headers["Location"])).text()
    assert texts.MSG_EXPIRED in page


async def test_sign_in_and_out_in_the_browser(browser: Browser, accounts: Accounts) -> None:
    page = await browser.new_page()
    await page.goto(browser.base_url + "/console/")
    assert page.url.endswith("/console/login?next=/console/")
    await browser.shot(page, "login")
    assert await browser.axe(page) == []
    await browser.sign_in(page, accounts.office, path="/console/login")
    assert page.url == browser.base_url + "/console/"
    assert accounts.office.name in await page.locator("header").inner_text()
    await browser.shot(page, "dashboard")
    await page.get_by_role("button", name="退出").click()
    await page.wait_for_url("**/console/login?out=1")
    assert texts.MSG_SIGNED_OUT in await page.locator("main").inner_text()
    await page.goto(browser.base_url + "/console/")
    assert "/console/login" in page.url


async def test_cookies_are_secure_behind_https(client: TestClient[Any, Any], accounts: Accounts) -> None:
    page = await client.get("/console/login", headers={"X-Forwarded-Proto": "https"})
    cookie = page.headers["Set-Cookie"]
    assert "hl_csrf=" in cookie and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = await csrf_of(client)
    response = await client.post(
        "/console/login",
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
        data={
            "_csrf": token,
            "login": accounts.office.login,
            "password": accounts.office.password,
            "next": "/console/",
        },
    )
    session_cookie = next(c for c in response.headers.getall("Set-Cookie") if c.startswith("hl_session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie
    # Over plain HTTP (a desk on the intranet without TLS) the browser must still get the cookie.
    client.session.cookie_jar.clear()
    plain = await client.get("/console/login")
    assert "hl_csrf=" in plain.headers["Set-Cookie"] and "Secure" not in plain.headers["Set-Cookie"]
