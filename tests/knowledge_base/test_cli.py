"""The `kb` commands through the real click group of main.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from knowledge_base import files
from main import cli

KB_CSV = (
    "id,question,answer,alternatives,keywords,unit,category\n"
    "s1,社保卡丢了怎么补办,先挂失再补办。,社保卡掉了|社保卡遗失,社保卡挂失,人社局,社保\n"
    "g1,公积金怎么提取,按提取类型准备材料。,住房公积金能取出来吗|租房提取公积金,,公积金中心,住房\n"
    "p1,停电了怎么办,联系供电企业。,家里没电了|小区停电,,供电公司,供电\n"
)
QUERIES_CSV = "query,expected_id\n社保卡丢了咋办,s1\n公积金怎么取出来,g1\n停电了,p1\n今天天气怎么样,\n你好,\n"


def test_eval_prints_one_json_object_with_the_fixed_keys(tmp_path: Path) -> None:
    kb = tmp_path / "KB.csv"
    kb.write_text(KB_CSV, encoding="utf-8")
    queries = tmp_path / "Q.csv"
    queries.write_text(QUERIES_CSV, encoding="utf-8")
    result = CliRunner().invoke(cli, ["kb", "eval", "--kb", str(kb), "--queries", str(queries), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        k: data[k]
        for k in (
            "n_in_scope",
            "top1",
            "answered",
            "precision",
            "suggest_hit",
            "false_answer_out_of_scope",
            "n_entries",
        )
    } == {
        "n_in_scope": 3,
        "top1": 1.0,
        "answered": 1.0,
        "precision": 1.0,
        "suggest_hit": 1.0,
        "false_answer_out_of_scope": 0.0,
        "n_entries": 3,
    }
    assert 0 < data["p50_ms"] <= data["p99_ms"]


def test_eval_with_a_broken_kb_file_is_a_clear_error(tmp_path: Path) -> None:
    kb = tmp_path / "KB.csv"
    kb.write_text("id,question\n1,问\n", encoding="utf-8")
    queries = tmp_path / "Q.csv"
    queries.write_text(QUERIES_CSV, encoding="utf-8")
    result = CliRunner().invoke(cli, ["kb", "eval", "--kb", str(kb), "--queries", str(queries), "--json"])
    assert result.exit_code == 1
    assert "KB.csv: missing column(s) answer" in result.output


def test_ask_prints_band_entries_and_scores_from_a_file(tmp_path: Path) -> None:
    kb = tmp_path / "KB.csv"
    kb.write_text(KB_CSV, encoding="utf-8")
    result = CliRunner().invoke(cli, ["kb", "ask", "社保卡丢了咋办", "--kb", str(kb), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["band"] == "answer"
    assert data["next_action"] == "ask_if_solved"
    assert [e["id"] for e in data["entries"]] == ["s1"]
    assert data["candidates"][0]["question"] == "社保卡丢了怎么补办"

    # `kb ask` answers as the service does (hybrid with the encoder). On a three-entry KB
    # the KB's own neighbour level is low, so an off-topic question may get 猜你想问, but
    # never a direct answer.
    text = CliRunner().invoke(cli, ["kb", "ask", "今天天气怎么样", "--kb", str(kb)])
    assert text.output.startswith("band: ")
    assert not text.output.startswith("band: answer")


def test_import_export_updates_and_ask_on_the_database(tmp_path: Path, database: Path) -> None:
    runner = CliRunner()
    source = tmp_path / "office.csv"
    source.write_text(KB_CSV, encoding="utf-8")
    imported = runner.invoke(cli, ["kb", "import", str(source), "--by", "王主任"])
    assert imported.exit_code == 0, imported.output
    assert imported.output.strip() == "已导入 3 条新条目，更新 0 条，未变 0 条。"

    again = runner.invoke(cli, ["kb", "import", str(source)])
    assert again.output.strip() == "已导入 0 条新条目，更新 0 条，未变 3 条。"

    out = tmp_path / "out.xlsx"
    exported = runner.invoke(cli, ["kb", "export", str(out)])
    assert exported.output.strip() == f"已导出 3 条条目到 {out}。"
    assert [r.id for r in files.read_entries(out)] == ["g1", "p1", "s1"]

    updates = runner.invoke(cli, ["kb", "updates"])
    assert updates.exit_code == 0, updates.output
    lines = sorted(updates.output.splitlines())
    assert len(lines) == 3
    assert all(line.endswith("  1") for line in lines)
    assert any("  人社局  " in line for line in lines)

    asked = runner.invoke(cli, ["kb", "ask", "公积金怎么取出来", "--json"])
    assert json.loads(asked.output)["entries"][0]["id"] == "g1"


def test_import_of_a_bad_file_changes_nothing(tmp_path: Path, database: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,question,answer\n1,问,答\n1,问,答\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["kb", "import", str(bad)])
    assert result.exit_code == 1
    assert "编号 1 重复" in result.output
    exported = CliRunner().invoke(cli, ["kb", "export", str(tmp_path / "out.csv")])
    assert "已导出 0 条条目" in exported.output


def test_ask_prints_the_answer_itself(tmp_path: Path) -> None:
    """`kb ask` printed ids and scores but not the answer (issue 13)."""
    kb = tmp_path / "KB.csv"
    kb.write_text(KB_CSV, encoding="utf-8")
    result = CliRunner().invoke(cli, ["kb", "ask", "社保卡丢了咋办", "--kb", str(kb)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("band: answer (直接回答)")
    assert "问：社保卡丢了怎么补办" in lines
    assert "答：先挂失再补办。" in lines
    assert "承办单位：人社局" in lines
    # The scores stay below, for whoever tunes the matcher.
    assert any(line.startswith("* ") and "s1" in line for line in lines)


def test_ask_lists_the_choices_the_citizen_gets_not_the_runners_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """猜你想问 on the CLI listed five questions where the citizen gets three."""
    from knowledge_base import cli as kb_cli
    from knowledge_base.conversation import AnswerResult, Band, NextAction
    from knowledge_base.matcher import Entry, ScoredEntry

    kb = tmp_path / "KB.csv"
    kb.write_text(KB_CSV, encoding="utf-8")
    scored = [ScoredEntry(Entry(id=f"e{i}", question=f"问题{i}？", answer="答。"), 0.9 - i / 100)
              for i in range(5)]
    monkeypatch.setattr(kb_cli, "answer", lambda knowledge, text: AnswerResult(
        Band.SUGGEST, scored[:3], 0.3, NextAction.CHOOSE_SUGGESTION, candidates=scored))
    lines = CliRunner().invoke(cli, ["kb", "ask", "驾照到期了去哪换", "--kb", str(kb)]).output.splitlines()
    assert lines[1:5] == ["没有完全理解您的问题，猜您想问：", "1. 问题0？", "2. 问题1？", "3. 问题2？"]
    assert "4. 问题3？" not in lines and any(line.startswith("  ") and "e3" in line for line in lines)
