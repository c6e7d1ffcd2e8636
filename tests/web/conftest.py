"""Fixtures of the web pages: the real app (with `web` wired in as main.py does) served on
127.0.0.1, staff accounts with real Argon2 passwords, and a real Chromium (Debian's
`chromium`, driven by Playwright for Python; no browser download).

Every page a test opens is checked for console errors and CSP violations at the end, and
`shot(page, name)` saves a screenshot under tests/web/screenshots/ (git-ignored) to look at."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pytest_aiohttp import AiohttpClient, AiohttpServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.app import init_app
from tests.conftest import IN_CI, Org
from tickets import service as svc
from tickets.clock import ManualClock
from tickets.context import Actor, Rules
from tickets.enums import Channel, RequestType
from tickets.intake import create_ticket
from tickets.models import Staff
from tickets.schemas import TicketCreate
from web import web_extension
from web.console import passwords
from wiring import Settings

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
CHROMIUM = os.environ.get("HOTLINE_TEST_CHROMIUM", "/usr/bin/chromium")
AXE = HERE / "vendor" / "axe.min.js"
PASSWORD = "Hotline-2026-test"


@dataclass(frozen=True)
class Account:
    login: str
    password: str
    staff_id: int
    name: str


@dataclass(frozen=True)
class Accounts:
    office: Account
    handler0: Account  # A handler of org unit 0 (区住建局)
    handler1: Account  # A handler of org unit 1 (柳林洲街道)


@pytest.fixture
def settings(engine: AsyncEngine) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        outbox_enabled=False,
        scheduler_enabled=False,
        web_secret="web-test-secret",
    )


@pytest.fixture
def make_app(settings: Settings, clock: ManualClock) -> Callable[..., web.Application]:
    def make(**overrides: Any) -> web.Application:
        final = settings.model_copy(update=overrides) if overrides else settings
        return init_app(final, clock=clock, extensions=[web_extension(final)])

    return make


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, make_app: Callable[..., web.Application]
) -> TestClient[Any, Any]:
    """An HTTP client that keeps cookies (like a browser) and does not follow redirects by default."""
    return await aiohttp_client(make_app())


@pytest.fixture
async def server(aiohttp_server: AiohttpServer, make_app: Callable[..., web.Application]) -> TestServer:
    return await aiohttp_server(make_app(), host="127.0.0.1")


@pytest.fixture
async def accounts(session: AsyncSession, org: Org, clock: ManualClock) -> Accounts:
    """Console passwords for the office and one handler of units 0 and 1, set as `staff passwd` does."""
    made: dict[str, Account] = {}
    hashed = passwords.hash_password(PASSWORD)
    for key, actor, login in [("office", org.office, "office"), ("handler0", org.handler(0), "zhujian-a"),
                              ("handler1", org.handler(1), "liulin-a")]:
        staff = await session.get(Staff, actor.id)
        assert staff is not None
        await passwords.set_password(session, staff=staff, login=login, password_hash=hashed, now=clock.now())
        made[key] = Account(login=login, password=PASSWORD, staff_id=actor.id or 0, name=actor.name)
    await session.commit()
    return Accounts(**made)


# --- the browser ------------------------------------------------------------------------------


def _chromium() -> str:
    path = shutil.which(CHROMIUM) or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if path is None:
        message = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(f"{message}; CI requires it", pytrace=False)
        pytest.skip(message)
    return path


@dataclass
class Browser:
    """One Chromium for a test; pages opened through it are watched for errors."""

    base_url: str
    context: Any
    problems: list[str] = field(default_factory=list)
    test_name: str = "test"
    # Requests a test makes fail on purpose (by URL fragment): not counted as problems.
    expected_failures: list[str] = field(default_factory=list)

    async def new_page(self) -> Any:
        page = await self.context.new_page()
        page.set_default_timeout(10_000)

        def on_console(message: Any) -> None:
            # A page answered 4xx on purpose (a refused form) logs "Failed to load resource";
            # failed scripts, styles and images are caught by on_response instead.
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                self.problems.append(f"console error on {page.url}: {message.text}")

        def on_response(response: Any) -> None:
            if (response.status >= 400 and response.request.resource_type != "document"
                    and not any(part in response.url for part in self.expected_failures)):
                self.problems.append(f"{response.status} for {response.url} on {page.url}")

        page.on("console", on_console)
        page.on("response", on_response)
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))
        return page

    async def shot(self, page: Any, name: str, *, full_page: bool = True) -> Path:
        """Save a PNG of the page (tests/web/screenshots/<test>-<name>.png)."""
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}-{name}.png"
        await page.screenshot(path=str(path), full_page=full_page)
        return path

    async def sign_in(self, page: Any, account: Account, *, path: str = "/console/") -> None:
        await page.goto(self.base_url + path)
        await page.get_by_label("登录账号").fill(account.login)
        await page.get_by_label("密码").fill(account.password)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_load_state()

    async def axe(self, page: Any) -> list[dict[str, Any]]:
        """axe-core's violations on the page (serious and critical ones; the test decides)."""
        # Evaluated through the DevTools protocol: the page's CSP (no inline script) stays on.
        await page.evaluate(AXE.read_text(encoding="utf-8"))
        result = await page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [v for v in result if v.get("impact") in ("serious", "critical")]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]


@pytest.fixture
def browser_context() -> dict[str, Any]:
    """How the browser's window is set up: a desktop screen (a test module of phone pages
    overrides this fixture with a phone's)."""
    return {"viewport": {"width": 1360, "height": 860}}


@pytest.fixture
async def browser(server: TestServer, request: pytest.FixtureRequest,
                  browser_context: dict[str, Any]) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright

    executable = _chromium()
    async with async_playwright() as playwright:
        # --lang: the browser's own controls (a file picker's button) speak Chinese, as on a citizen's phone.
        chromium = await playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--lang=zh-CN"]
        )
        context = await chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **browser_context)
        found = Browser(base_url=str(server.make_url("")).rstrip("/"), context=context,
                        test_name=_slug(request.node.name))
        try:
            yield found
        finally:
            await context.close()
            await chromium.close()
    assert found.problems == [], "\n".join(found.problems)


Shot = Callable[[Any, str], Awaitable[Path]]


# --- tickets, made through the real service -------------------------------------------------------


async def file_ticket(session: AsyncSession, rules: Rules, content: str, **extra: Any) -> str:
    """A ticket received through tickets.intake (the one door), as the phone channel files it."""
    draft = TicketCreate(channel=Channel.PHONE, request_type=extra.pop("request_type", RequestType.COMPLAINT),
                         content=content, contact_name=extra.pop("contact_name", "张三"),
                         contact_phone=extra.pop("contact_phone", "13912345678"), **extra)
    ticket = await create_ticket(session, rules=rules, actor=Actor.system("测试"), data=draft)
    await session.commit()
    return ticket.number


async def dispatched(session: AsyncSession, rules: Rules, org: Org, content: str, *, unit: int = 0,
                     accepted: bool = False, contacted: bool = False) -> str:
    number = await file_ticket(session, rules, content)
    await svc.dispatch(session, rules=rules, actor=org.office, number=number, unit_id=org.unit_ids[unit])
    if accepted:
        await svc.accept(session, rules=rules, actor=org.handler(unit), number=number)
    if contacted:
        await svc.first_contact(session, rules=rules, actor=org.handler(unit), number=number, reached=True)
    await session.commit()
    return number
