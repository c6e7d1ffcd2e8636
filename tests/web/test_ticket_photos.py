"""Citizens' photos on the console's ticket page: the office and the ticket's unit see them
(thumbnails that open the cleaned original), another unit gets "not found" for the photo
as for the ticket, and a photo that is not the ticket's is not served."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.app import Settings
from tests.conftest import Org
from tests.tickets.test_photos import phone_photo
from tests.web.conftest import Accounts, Browser, dispatched
from tests.web.test_foundation import sign_in
from tickets import photos
from tickets.context import Rules
from tickets.queries import get_ticket


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"media_dir": tmp_path / "media"})


async def with_photos(session: AsyncSession, rules: Rules, org: Org, settings: Settings,
                      colors: list[tuple[int, int, int]]) -> tuple[str, list[str]]:
    """A ticket of unit 0 with the photos a citizen attached on the H5 page (through tickets.photos)."""
    number = await dispatched(session, rules, org, "路边井盖缺失，晚上很危险，照片附上。", unit=0)
    ticket = await get_ticket(session, number=number)
    cleaned = photos.check_uploads([photos.Upload(name=f"IMG_{i}.jpg", data=phone_photo(c))
                                    for i, c in enumerate(colors)])
    rows = await photos.attach_photos(session, rules=rules, ticket=ticket, photos=cleaned,
                                      store=photos.PhotoStore(settings.media_dir))
    await session.commit()
    return number, [r.sha256 for r in rows]


async def test_the_office_and_the_unit_see_the_photos_another_unit_does_not(
        client: TestClient[Any, Any], accounts: Accounts, org: Org, session: AsyncSession, rules: Rules,
        settings: Settings) -> None:
    number, (first, second) = await with_photos(session, rules, org, settings, [(200, 30, 30), (30, 30, 200)])
    other = await dispatched(session, rules, org, "小区门口垃圾桶满了没人清理。", unit=0)
    for account in (accounts.office, accounts.handler0):
        assert (await sign_in(client, account.login, account.password)).status == 303
        page = await (await client.get(f"/console/tickets/{number}")).text()
        assert "市民上传的照片（2 张）" in page
        assert f'src="/console/tickets/{number}/photos/{first}"' in page
        assert 'alt="市民上传的第 2 张照片，点击查看原图"' in page
        response = await client.get(f"/console/tickets/{number}/photos/{second}")
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/jpeg"
        assert response.headers["Cache-Control"] == "private, no-store"
        body = await response.read()
        assert body[:2] == b"\xff\xd8" and b"Xiaomi" not in body  # the cleaned copy, no camera data
        # Another ticket's photo through this ticket's address: not found.
        assert (await client.get(f"/console/tickets/{other}/photos/{first}")).status == 404
        # A ticket without photos shows no empty photo block.
        assert "市民上传的照片" not in await (await client.get(f"/console/tickets/{other}")).text()
        await client.post("/console/logout", data={"_csrf": page.split('name="_csrf" value="')[1].split('"')[0]})
    assert (await sign_in(client, accounts.handler1.login, accounts.handler1.password)).status == 303
    response = await client.get(f"/console/tickets/{number}/photos/{first}")
    assert response.status == 404
    assert "image" not in response.headers["Content-Type"]


async def test_the_thumbnails_load_in_the_browser(browser: Browser, accounts: Accounts, org: Org,
                                                  session: AsyncSession, rules: Rules, settings: Settings) -> None:
    number, shas = await with_photos(session, rules, org, settings, [(200, 30, 30), (30, 160, 60), (240, 200, 0)])
    page = await browser.new_page()
    await browser.sign_in(page, accounts.handler0)
    await page.goto(f"{browser.base_url}/console/tickets/{number}")
    images = page.get_by_role("img", name="市民上传的")
    assert await images.count() == 3
    for index in range(3):
        # Loaded, within the page's CSP (img-src 'self'), turned upright as the citizen saw it (40×20 rotated).
        size = await images.nth(index).evaluate(
            "i => i.decode().then(() => [i.complete, i.naturalWidth, i.naturalHeight])")
        assert size == [True, 20, 40]
    assert await page.locator("ul.photos a").first.get_attribute("href") == \
        f"/console/tickets/{number}/photos/{shas[0]}"
    await browser.shot(page, "ticket-photos")
    assert await browser.axe(page) == []
