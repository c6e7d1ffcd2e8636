"""Office files with broken rows: every problem listed at once, nothing written without
--skip-invalid, the valid rows with it; XLSX as office workers make them; `kb eval`
on a FAQ with an empty answer."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base import files, service, texts
from main import cli
from tickets.clock import ManualClock
from tickets.enums import UnitKind
from tickets.models import Unit

BROKEN_CSV = (
    "id,question,answer,unit\n"
    "1,社保卡丢了怎么补办,先挂失再补办。,人社局\n"
    "2,公积金怎么提取,,公积金中心\n"  # empty answer
    "3,,停电请联系供电企业。,供电公司\n"  # empty question
    "4,社保卡丢了怎么补办,重复的问题。,人社局\n"  # duplicate question
    "1,居住证怎么办,到派出所办理。,公安局\n"  # duplicate id
    f"5,{'很长的问题' * 120},答案。,人社局\n"  # over-long question
    "6,护照怎么办理,到出入境窗口办理。,出入境管理局\n"
)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    path = tmp_path / "office.csv"
    path.write_text(BROKEN_CSV, encoding="utf-8")
    result = files.check_entries(path)
    assert [(p.row, p.column) for p in result.problems] == [
        (3, "answer"),
        (4, "question"),
        (5, "question"),
        (6, "id"),
        (7, "question"),
    ]
    assert str(result.problems[0]) == "office.csv 第 3 行「answer」列：为空"
    assert "与第 2 行相同" in str(result.problems[2])
    assert "超过 500 个字符" in str(result.problems[4])
    assert result.skipped_rows == 5
    assert [r.id for r in result.records] == ["1", "6"]


def test_import_writes_nothing_unless_told_to_skip_invalid_rows(tmp_path: Path, database: Path) -> None:
    path = tmp_path / "office.csv"
    path.write_text(BROKEN_CSV, encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(cli, ["kb", "import", str(path)])
    assert refused.exit_code == 1
    assert "文件中有 5 处问题（共 5 行无法导入）" in refused.output
    for row in (3, 4, 5, 6, 7):
        assert f"第 {row} 行" in refused.output
    assert "没有写入任何条目" in refused.output
    empty = runner.invoke(cli, ["kb", "export", str(tmp_path / "none.csv")])
    assert "已导出 0 条条目" in empty.output

    done = runner.invoke(cli, ["kb", "import", str(path), "--skip-invalid"])
    assert done.exit_code == 0, done.output
    assert "已跳过 5 行有问题的数据。" in done.stdout
    assert "已导入 2 条新条目，更新 0 条，未变 0 条。" in done.stdout
    out = tmp_path / "out.csv"
    runner.invoke(cli, ["kb", "export", str(out)])
    assert [r.id for r in files.read_entries(out)] == ["1", "6"]


async def test_unknown_units_are_problems_once_units_exist(
    tmp_path: Path, session: AsyncSession, clock: ManualClock
) -> None:
    session.add(Unit(name="人社局", kind=UnitKind.DEPARTMENT))
    await session.flush()
    path = tmp_path / "office.csv"
    path.write_text(
        "id,question,answer,unit\n1,社保卡丢了怎么补办,先挂失。,人社局\n2,护照怎么办,去窗口。,出入境局\n",
        encoding="utf-8",
    )
    report = await service.import_file(session, path=path, actor="王主任", clock=clock)
    assert not report.written
    assert [(p.row, p.column) for p in report.problems] == [(3, "unit")]
    assert "出入境局" in str(report.problems[0])
    assert await service.list_entries(session, include_inactive=True) == []
    report = await service.import_file(session, path=path, actor="王主任", clock=clock, skip_invalid=True)
    assert report.written and report.summary.created == 1


def test_xlsx_with_title_rows_merged_cells_and_several_sheets(tmp_path: Path) -> None:
    path = tmp_path / "office.xlsx"
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "社保"
    first.append(["某区12345热线知识库（2026年版）"])
    first.merge_cells("A1:E1")
    first.append([])
    first.append(["编号", "问题", "答案", "分类", "责任单位"])
    first.append(["s1", "社保卡丢了怎么补办", "先挂失再补办。", "社会保障", "人社局"])
    first.append(["s2", "社保卡怎么激活", "到银行网点激活。", None, None])
    first.merge_cells("D4:D5")  # one category cell for both rows, as offices do
    first.merge_cells("E4:E5")
    notes = book.create_sheet("说明")
    notes.append(["本表由各单位每月更新"])
    housing = book.create_sheet("住房")
    housing.append(["id", "question", "answer", "unit"])
    housing.append(["h1", "公积金怎么提取", "", "公积金中心"])
    housing.append(["h2", "公积金怎么查询", "在官方渠道查询。", "公积金中心"])
    book.save(path)
    result = files.check_entries(path)
    assert [(r.id, r.category, r.unit) for r in result.records] == [
        ("s1", "社会保障", "人社局"),
        ("s2", "社会保障", "人社局"),
        ("h2", "", "公积金中心"),
    ]
    assert [str(p) for p in result.problems] == ["office.xlsx「住房」表 第 2 行 C 列「answer」：为空"]


def test_xlsx_problems_name_sheet_column_letter_and_the_other_sheet_of_a_duplicate(tmp_path: Path) -> None:
    """A clerk finds each problem in Excel: the sheet, the row, the column letter and the
    header as the office wrote it; a question repeated on another sheet names that sheet."""
    path = tmp_path / "热线知识库.xlsx"
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "人社"
    first.append(["某市12345热线知识库"])
    first.append(["说明：答案如有变动请联系责任单位"])
    first.append(["编号", "问题", "答案", "责任单位"])
    first.append(["A1", "社保卡丢了怎么补办", "先挂失再补办。", "人社局"])
    second = book.create_sheet("公安")
    second.append(["编号", "问题", "答案", "责任单位"])
    second.append(["B1", "护照怎么办", None, "出入境"])
    second.append(["B2", "社保卡丢了怎么补办", "重复。", "人社局"])
    book.save(path)
    assert [str(p) for p in files.check_entries(path).problems] == [
        "热线知识库.xlsx「公安」表 第 2 行 C 列「答案」：为空",
        "热线知识库.xlsx「公安」表 第 3 行 B 列「问题」："
        "问题重复（与 热线知识库.xlsx「人社」表 第 4 行相同）",
    ]


UNKNOWN_UNITS_CSV = "id,question,answer,unit\n" + "".join(
    f"{i},问题{i}怎么办,答案{i}。,{unit}\n"
    for i, unit in enumerate(["市教育局"] * 3 + ["人社局"] + ["市社保中心"] * 2 + ["市教育局"], start=1)
)


def test_unknown_units_are_one_line_per_unit_with_a_guess_and_what_to_do(
    tmp_path: Path, database: Path
) -> None:
    _add_units(["人社局", "区教育局"])
    path = tmp_path / "faq.csv"
    path.write_text(UNKNOWN_UNITS_CSV, encoding="utf-8")
    refused = CliRunner().invoke(cli, ["kb", "import", str(path)])
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[:3] == [
        "文件中有 6 处问题（共 6 行无法导入）：",
        "  faq.csv 第 2–4、8 行「unit」列：单位“市教育局”不在本系统的单位名单中，"
        "是否应为“区教育局”？（共 4 行）",
        "  faq.csv 第 6–7 行「unit」列：单位“市社保中心”不在本系统的单位名单中（共 2 行）",
    ]
    assert "本系统的单位：人社局、区教育局。" in refused.stderr
    assert "--keep-unknown-units" in refused.stderr

    only_unknown = tmp_path / "only_unknown.csv"
    only_unknown.write_text("id,question,answer,unit\n1,问题一,答案。,市社保中心\n", encoding="utf-8")
    nothing = CliRunner().invoke(cli, ["kb", "import", str(only_unknown), "--skip-invalid"])
    assert nothing.exit_code == 1
    assert "已跳过" not in nothing.output and texts.CLI_NOTHING_VALID in nothing.output

    kept = CliRunner().invoke(cli, ["kb", "import", str(path), "--keep-unknown-units"])
    assert kept.exit_code == 0, kept.output
    assert "2 个单位名称不在本系统的单位名单中，已照原样保存（共 6 条条目" in kept.stdout
    assert "市教育局（4 行）、市社保中心（2 行）" in kept.stdout
    assert "已导入 7 条新条目" in kept.stdout
    out = tmp_path / "out.csv"
    CliRunner().invoke(cli, ["kb", "export", str(out)])
    assert [r.unit for r in files.read_entries(out)][:2] == ["市教育局", "市教育局"]


def _add_units(names: list[str]) -> None:
    import sqlmodel

    from tickets.db import upgrade_database
    from tickets.settings import Settings

    url = Settings().database_url
    upgrade_database(url)
    engine = sqlmodel.create_engine(url)
    with sqlmodel.Session(engine) as session:
        session.add_all(Unit(name=name, kind=UnitKind.DEPARTMENT) for name in names)
        session.commit()
    engine.dispose()


def test_kb_eval_runs_on_a_faq_with_a_broken_row(tmp_path: Path) -> None:
    kb = tmp_path / "KB.csv"
    kb.write_text(BROKEN_CSV, encoding="utf-8")
    queries = tmp_path / "Q.csv"
    queries.write_text(
        "query,expected_id\n社保卡掉了咋办,1\n护照在哪办,6\n明天天气怎么样,\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["kb", "eval", "--kb", str(kb), "--queries", str(queries), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n_entries"] == 2
    assert data["n_skipped_rows"] == 5
    assert data["top1"] == 1.0
    assert data["false_answer_out_of_scope"] == 0.0
    assert "第 3 行「answer」列：为空" in result.stderr
