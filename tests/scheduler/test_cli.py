"""`main.py jobs …` and `main.py letters …` on a migrated SQLite file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from main import cli
from tests.conftest import build_org, run_in_thread
from tickets.db import create_engine, session_factory, upgrade_database


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_database(url)  # the real migrations, the scheduler's revision included

    async def seed() -> None:
        engine = create_engine(url)
        async with session_factory(engine)() as session:
            await build_org(session)
        await engine.dispose()

    run_in_thread(seed)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", url)
    return url


def test_jobs_and_letters(database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["jobs", "list"])
    assert listed.exit_code == 0, listed.output
    for name in ("duty_login_check", "handling_days_statistics", "deadline_reminders", "supervision_weekly",
                 "verification_prune"):
        assert name in listed.output
    assert "每个工作日值守登录检查，未登录单位发送提示函" in listed.output

    ran = runner.invoke(cli, ["jobs", "run", "duty_login_check", "--at", "2026-11-23 16:00"])
    assert ran.exit_code == 0, ran.output
    first, counts = ran.output.strip().splitlines()
    assert first == "任务 duty_login_check 已按 2026-11-23 16:00（上海时间）运行：完成"
    assert json.loads(counts)["letters_created"] == 3
    holiday = runner.invoke(cli, ["jobs", "run", "duty_login_check", "--at", "2026-10-01 16:00"])
    assert holiday.output.startswith("任务 duty_login_check 已按 2026-10-01 16:00（上海时间）运行：无需执行")

    listed = runner.invoke(cli, ["jobs", "list"])
    assert "2026-10-01 16:00 / 无需执行" in listed.output  # the latest run

    as_json = runner.invoke(cli, ["letters", "list", "--json"])
    letters = json.loads(as_json.output)
    assert [(x["kind"], x["unit"], x["period"]) for x in letters] == [
        ("duty_login_missing", unit, "2026-11-23") for unit in ("供电分公司", "柳林洲街道", "区住建局")
    ]
    assert all({"id", "kind", "unit", "period", "created_at"} <= set(x) for x in letters)
    # Columns line up on a terminal although the names are Chinese (two columns a character).
    table = runner.invoke(cli, ["letters", "list"]).output.splitlines()
    assert len(table) == 4
    starts = {_display_column(line, "2026-11-23") for line in table[1:]}
    assert len(starts) == 1 and _display_column(table[0], "期次") in starts
    one_unit = runner.invoke(cli, ["letters", "list", "--unit", "柳林洲街道"])
    assert one_unit.exit_code == 0 and "柳林洲街道" in one_unit.output and "区住建局" not in one_unit.output
    assert (
        runner.invoke(cli, ["letters", "list", "--kind", "supervision"]).output.strip()
        == "没有符合条件的函件。"
    )

    letter_id = next(x["id"] for x in letters if x["unit"] == "区住建局")
    shown = runner.invoke(cli, ["letters", "show", str(letter_id), "--docx", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "2026年11月23日为工作日。截至当日 16:00，你单位未登录12345热线平台值守。" in shown.output
    docx = tmp_path / "未按时登录值守提示函-区住建局-2026-11-23.docx"
    assert f"已生成 Word 文件：{docx}" in shown.output
    document = Document(io.BytesIO(docx.read_bytes()))
    assert (
        document.paragraphs[0].text == "未按时登录值守提示函" and document.paragraphs[1].text == "区住建局："
    )


def test_cli_errors_are_clear(database: str) -> None:
    runner = CliRunner()
    unknown = runner.invoke(cli, ["jobs", "run", "login_check"])
    assert unknown.exit_code != 0 and "没有名为 “login_check” 的任务。" in unknown.output
    bad_time = runner.invoke(cli, ["jobs", "run", "duty_login_check", "--at", "明天下午四点"])
    assert bad_time.exit_code != 0 and '时间格式应为 "YYYY-MM-DD HH:MM"' in bad_time.output
    missing = runner.invoke(cli, ["letters", "show", "999"])
    assert missing.exit_code != 0 and "未找到编号为 999 的函件。" in missing.output
    bad_kind = runner.invoke(cli, ["letters", "list", "--kind", "😀"])
    assert bad_kind.exit_code != 0


def _display_column(line: str, text: str) -> int:
    """Where `text` starts on the terminal (a CJK character takes two columns)."""
    from rich.cells import cell_len

    return cell_len(line[: line.index(text)])
