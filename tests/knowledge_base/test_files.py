"""Knowledge-base files: the fixed CSV columns, XLSX and YAML, round trips and clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from knowledge_base import files
from knowledge_base.files import EntryRecord, KBFileError

RECORDS = [
    EntryRecord(
        id="a1",
        question="社保卡丢了怎么补办",
        answer="先挂失，再补办。\n以当地规定为准。",
        alternatives=("社保卡掉了", "社保卡遗失"),
        keywords=("社保卡",),
        unit="人社局",
        category="社保",
    ),
    EntryRecord(id="101", question="停电了怎么办", answer="联系供电企业。", active=False),
]


def test_shipped_knowledge_base_is_complete_and_generic() -> None:
    records = files.default_records()
    assert len(records) >= 80
    assert len({r.id for r in records}) == len(records)
    assert all(len(r.alternatives) >= 3 for r in records)
    assert all(r.unit and r.category and r.answer for r in records)
    # Generic guidance: no web addresses, no money amounts, local rules deferred to.
    money_or_link = re.compile(r"https?://|www\.|\d\s*(元|块)|\d{7,}")
    assert [r.id for r in records if money_or_link.search(r.answer)] == []
    assert sum("以当地规定为准" in r.answer for r in records) >= 30
    assert sum("为准" in r.answer for r in records) >= 60


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml"])
def test_round_trip_keeps_every_field(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"kb{suffix}"
    files.write_entries(path, RECORDS)
    assert files.read_entries(path) == RECORDS


def test_csv_has_exactly_the_documented_columns(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    files.write_entries(path, RECORDS[:1])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,question,answer,alternatives,keywords,unit,category,active"
    assert lines[1].startswith('a1,社保卡丢了怎么补办,"先挂失，再补办。')
    assert "社保卡掉了|社保卡遗失" in path.read_text(encoding="utf-8")


def test_minimal_csv_from_another_tool_is_read(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    # A BOM and only the required columns, as Excel or a script would write them.
    path.write_text("\ufeffid,question,answer\n7,公积金怎么提取,见公积金中心规定\n\n", encoding="utf-8")
    assert files.read_entries(path) == [
        EntryRecord(id="7", question="公积金怎么提取", answer="见公积金中心规定")
    ]


def test_xlsx_numeric_ids_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "kb.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Question", "Answer", "Alternatives"])
    sheet.append([101, "停电了怎么办", "联系供电企业", "没电了|断电了"])
    sheet.append([None, None, None, None])
    book.save(path)
    assert files.read_entries(path) == [
        EntryRecord(
            id="101", question="停电了怎么办", answer="联系供电企业", alternatives=("没电了", "断电了")
        )
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kb.csv", "id,question\n1,问\n", "missing column(s) answer"),
        ("kb.csv", "id,question,answer\n1,问,\n", "第 2 行「answer」列：为空"),
        (
            "kb.csv",
            "id,question,answer\n1,问,答\n1,问二,答二\n",
            "第 3 行「id」列：编号 1 重复（与第 2 行相同）",
        ),
        ("kb.yaml", "- id: 1\n  question: [unclosed\n", "not valid YAML"),
        ("kb.yaml", "id: 1\n", "expected a list of entries"),
        ("kb.txt", "anything", "unsupported format"),
        ("kb.xlsx", "this is not a spreadsheet", "not a readable XLSX file"),
    ],
)
def test_bad_files_name_the_problem(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KBFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        files.read_entries(path)


def test_non_utf8_csv_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    path.write_bytes("id,question,answer\n1,社保卡,答\n".encode("gbk"))
    with pytest.raises(KBFileError, match="not UTF-8"):
        files.read_entries(path)
