"""The office's configuration files refuse keys they do not know, naming file, section and key
(two letter limits once landed under `deputies:` and the shipped defaults applied silently)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from main import cli
from reports.rankings import load_ranking_rules
from tickets.calendar import CalendarOverrides
from tickets.config_files import ConfigFileError
from tickets.policy import load_policy


def _write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(load: Callable[[Path], object], path: Path) -> str:
    with pytest.raises(ConfigFileError) as caught:
        load(path)
    return str(caught.value)


def test_the_shipped_policy_loads_with_every_key_known() -> None:
    policy = load_policy()
    assert policy.limits.letter_title_max_chars == 50
    assert policy.mailbox.completion.amount == 10


def test_an_office_file_with_known_keys_overrides_the_shipped_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, "limits:\n  letter_title_max_chars: 80\ndeputies:\n  repeat_min: 4\n")
    policy = load_policy(path)
    assert (policy.limits.letter_title_max_chars, policy.deputies.repeat_min) == (80, 4)
    assert policy.limits.content_max_chars == 5000


def test_a_misspelt_key_is_refused_with_the_file_the_section_and_a_suggestion(tmp_path: Path) -> None:
    path = _write(tmp_path, "limits:\n  content_max_char: 3000\n")
    with pytest.raises(ConfigFileError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert str(path) in message
    assert "limits 下没有“content_max_char”这一项，是否应为“content_max_chars”？" in message


def test_a_key_under_the_wrong_section_says_where_it_belongs(tmp_path: Path) -> None:
    path = _write(tmp_path, "deputies:\n  letter_title_max_chars: 80\n  letter_attachments_max: 5\n")
    with pytest.raises(ConfigFileError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert "deputies 下没有“letter_title_max_chars”这一项；“letter_title_max_chars”属于 limits" in message
    assert "deputies 下没有“letter_attachments_max”这一项；“letter_attachments_max”属于 limits" in message


def test_a_nested_section_and_the_top_level_are_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "deadlines:\n  urgent: {amount: 2, unit: working_days}\nmailbx: {}\n")
    message = _refusal(load_policy, path)
    assert "deadlines 下没有“urgent”这一项；“urgent”属于 deadlines.completion" in message
    assert "文件顶层没有“mailbx”这一项，是否应为“mailbox”？" in message


def test_a_wrong_value_names_its_path_and_value(tmp_path: Path) -> None:
    path = _write(tmp_path, "limits:\n  note_max_chars: lots\n")
    message = _refusal(load_policy, path)
    assert "limits.note_max_chars：" in message and "（文件中的值：lots）" in message


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "- limits\n")
    with pytest.raises(ConfigFileError, match="YAML 映射"):
        load_policy(path)


def test_calendar_overrides_and_ranking_rules_refuse_unknown_keys(tmp_path: Path) -> None:
    calendar = _write(tmp_path, "holiday: [2027-01-01]\n", "calendar.yaml")
    message = _refusal(CalendarOverrides.load, calendar)
    assert str(calendar) in message and "“holiday”这一项，是否应为“holidays”？" in message
    rules = _write(tmp_path, "best: 3\n", "rankings.yaml")
    message = _refusal(load_ranking_rules, rules)
    assert str(rules) in message and "文件顶层没有“best”这一项" in message


def test_the_command_line_prints_the_error_not_a_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, "deputies:\n  letter_title_max_chars: 80\n")
    result = CliRunner().invoke(cli, ["jobs", "list"], env={"HOTLINE_POLICY_FILE": str(path)})
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: 配置文件 {path} 有误，未能载入：\n")
    assert "“letter_title_max_chars”属于 limits" in result.output
    assert "Traceback" not in result.output
