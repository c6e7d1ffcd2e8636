"""知识库 in a real browser: find an entry, change its answer (answered at once, counted for
the unit), add one, import a file with problems (nothing written, every problem listed)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import service as kb_service
from knowledge_base.models import KnowledgeChange
from tests.conftest import Org
from tests.web.conftest import Accounts, Browser
from tickets.clock import ManualClock


async def test_edit_add_and_import_entries(
    browser: Browser, accounts: Accounts, org: Org, session: AsyncSession, clock: ManualClock, tmp_path: Path
) -> None:
    await kb_service.seed_default(session, clock=clock)
    await kb_service.record_feedback(session, key="sbk_lost", solved=False, clock=clock, query="社保卡丢了")
    await session.commit()
    page = await browser.new_page()
    await browser.sign_in(page, accounts.office, path="/console/kb?q=社保卡丢了")
    row = page.locator("#kb-table tbody tr").first
    assert "sbk_lost" in await row.inner_text() and "0%" in await row.inner_text()
    await page.get_by_role("link", name="sbk_lost").click()
    await page.get_by_label("答复内容 *").fill(
        "社保卡丢失后，请先拨打12333挂失，再带身份证到区政务服务中心补办，当场制卡。"
    )
    await page.get_by_label("承办单位").select_option(label=org.unit_names[0])
    await page.get_by_role("button", name="保存").click()
    await page.wait_for_url("**/console/kb/entry/sbk_lost?done=saved")
    # The matcher serves the new answer at once.
    await page.goto(browser.base_url + "/console/kb?ask=社保卡丢了怎么补办")
    assert "当场制卡" in await page.locator("#kb-answer").inner_text()
    await browser.shot(page, "kb")

    await page.goto(browser.base_url + "/console/kb/new")
    await page.get_by_label("编号 *").fill("gas_smell")
    await page.get_by_label("标准问题 *").fill("闻到燃气味怎么办")
    await page.get_by_label("答复内容 *").fill("请立即开窗通风，不要开关电器，到室外拨打燃气公司抢修电话。")
    await page.get_by_role("button", name="保存").click()
    await page.wait_for_url("**/console/kb/entry/gas_smell?done=new")
    # The same key again is refused with the reason, nothing overwritten.
    await page.goto(browser.base_url + "/console/kb/new")
    await page.get_by_label("编号 *").fill("gas_smell")
    await page.get_by_label("标准问题 *").fill("另一个问题")
    await page.get_by_label("答复内容 *").fill("另一个答复。")
    await page.get_by_role("button", name="保存").click()
    await page.wait_for_load_state()
    assert "编号 gas_smell 已有条目" in await page.locator("#kb-error").inner_text()

    bad = tmp_path / "faq.csv"
    bad.write_text("编号,标准问题,答复,承办单位\nwater_cut,停水了怎么办,请拨打供水热线。,供电分公司\n"
                   "no_answer,这个问题没有答复,,\nghost,不存在的单位,答复。,月球管理局\n", encoding="utf-8")
    await page.goto(browser.base_url + "/console/kb/import")
    await page.get_by_label("文件").set_input_files(str(bad))
    await page.get_by_role("button", name="检查并导入").click()
    await page.wait_for_load_state()
    report = await page.locator("#import-report").inner_text()
    assert "没有写入任何条目" in report and "月球管理局" in report
    # Named by the office's own file name and header, with what to do about the unit.
    assert "faq.csv 第 3 行「答复」列：为空" in report
    assert "本系统的单位：" in report and "单位不在名单中也导入" in report
    await browser.shot(page, "import")
    await page.get_by_label("文件").set_input_files(str(bad))
    await page.get_by_label("只导入无问题的行").check()
    await page.get_by_role("button", name="检查并导入").click()
    await page.wait_for_load_state()
    assert "新增 1 条" in await page.locator("#import-report").inner_text()
    await page.get_by_label("文件").set_input_files(str(bad))
    await page.get_by_label("只导入无问题的行").check()
    await page.get_by_label("单位不在名单中也导入").check()
    await page.get_by_role("button", name="检查并导入").click()
    await page.wait_for_load_state()
    report = await page.locator("#import-report").inner_text()
    assert "新增 1 条，更新 0 条，未变 1 条" in report and "已照原样保存" in report and "月球管理局" in report
    assert await browser.axe(page) == []

    session.expire_all()
    changes = (
        await session.exec(
            select(KnowledgeChange.entry_key, KnowledgeChange.unit, KnowledgeChange.changed_by).where(
                KnowledgeChange.changed_by == "王主任"
            )
        )
    ).all()
    assert sorted(changes) == [("gas_smell", "", "王主任"), ("ghost", "月球管理局", "王主任"),
                               ("sbk_lost", "区住建局", "王主任"), ("water_cut", "供电分公司", "王主任")]


async def test_the_weeks_gaps_become_an_entry(
    browser: Browser, accounts: Accounts, org: Org, session: AsyncSession, clock: ManualClock
) -> None:
    """The office sees what citizens asked without an answer this week, grouped, and makes one
    group an entry in the page; the bot answers from it at once."""
    await kb_service.seed_default(session, clock=clock)
    asked = ("小区门口的共享单车堆成山了", "小区门口共享单车堆满了没人管", "共享单车乱停乱放堵住小区门口")
    for question in asked:
        await kb_service.record_miss(session, query=question, clock=clock, channel="h5")
    await session.commit()
    page = await browser.new_page()
    await browser.sign_in(page, accounts.office, path="/console/kb")
    await page.get_by_role("link", name="本周未解决的问题").click()
    gap = page.locator("section.gap").first
    text = await gap.inner_text()
    assert "小区门口的共享单车堆成山了" in text and "问了" in text and "次" in text
    await browser.shot(page, "gaps")
    assert await browser.axe(page) == []
    await gap.get_by_label("答复内容 *").fill(
        "共享单车乱停放可拨打12345反映，城管部门会通知运营企业两小时内清理。"
    )
    await gap.get_by_label("承办单位").select_option(label=org.unit_names[0])
    await gap.get_by_role("button", name="建成新条目").click()
    await page.wait_for_url("**/console/kb/entry/gap_*?done=new")
    assert "共享单车" in await page.get_by_label("标准问题 *").input_value()
    await page.goto(browser.base_url + "/console/kb?ask=小区门口共享单车堆满了没人管")
    assert "两小时内清理" in await page.locator("#kb-answer").inner_text()
    # Without an answer: said so on the same page.
    await page.goto(browser.base_url + "/console/kb/gaps?week=2026-W99")
    assert "没有这一周" in await page.locator("#gap-error").inner_text()
