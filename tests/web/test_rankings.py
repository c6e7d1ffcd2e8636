"""考核排名 in a real browser: the score table, the ECharts chart drawn, the downloads."""

from __future__ import annotations

import io
from dataclasses import replace

import openpyxl
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.unit_routing import KbUnitSuggester
from tests.conftest import Org
from tests.web.conftest import Accounts, Browser, dispatched
from tickets.context import Rules


async def test_ranking_table_chart_and_downloads(browser: Browser, accounts: Accounts, org: Org,
                                                 session: AsyncSession, rules: Rules) -> None:
    # Dispatched as the app does, with the unit router's suggestions recorded.
    routed = replace(rules, unit_suggester=KbUnitSuggester(lambda: None))
    for unit in (0, 2):
        for i in range(5):
            await dispatched(
                session,
                routed,
                org,
                f"第{i}件：小区停电，物业维修不及时，请尽快处理。",
                unit=unit,
                accepted=True,
                contacted=unit == 0,
            )
    page = await browser.new_page()
    await browser.sign_in(page, accounts.office, path="/console/rankings?scheme=pudong-2024&period=2026-11")
    rows = await page.locator("#ranking-table tbody tr").all_inner_texts()
    # The unit that called its citizens first ranks first; a unit without tickets is not listed.
    assert [r.split("\t")[:2] for r in rows] == [["1", "区住建局"], ["2", "供电分公司"]]
    # The same text went to two units: the keyword rules' first suggestion was right for one of them.
    routing = await page.locator("#routing-table tbody tr").all_inner_texts()
    assert routing[0].split("\t") == ["合计", "10", "50.0%", "100.0%"]
    assert [r.split("\t")[0] for r in routing[1:]] == ["2026-W48", "供电分公司", "区住建局"]
    chart = page.locator("#chart-scores")
    await chart.locator("canvas").wait_for()
    await page.locator("#chart-scores[data-drawn='1']").wait_for()
    await browser.shot(page, "rankings")
    assert await browser.axe(page) == []

    async with page.expect_download() as waiting:
        await page.locator("#dl-xlsx").click()
    download = await waiting.value
    assert download.suggested_filename == "月度通报-2026-11.xlsx"
    book = openpyxl.load_workbook(io.BytesIO((await download.path()).read_bytes()))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "区住建局" in cells and "供电分公司" in cells
    async with page.expect_download() as waiting:
        await page.locator("#dl-md").click()
    text = (await (await waiting.value).path()).read_text(encoding="utf-8")
    assert "2026年11月" in text and "区住建局" in text


async def test_a_period_without_tickets_and_a_bad_period(browser: Browser, accounts: Accounts) -> None:
    page = await browser.new_page()
    await browser.sign_in(page, accounts.office, path="/console/rankings?period=2025-01")
    assert "暂无排名" in await page.locator("#no-ranking").inner_text()
    await page.goto(browser.base_url + "/console/rankings?period=last-month")
    assert "期间格式不正确" in await page.locator("main").inner_text()
    await page.goto(browser.base_url + "/console/rankings?scheme=../../etc/passwd")
    assert "考核方案只能选择" in await page.locator("main").inner_text()
