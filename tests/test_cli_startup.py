"""CLI start-up imports only what the command run needs (issue 13: every command, --help
included, took 7-15 s because aiogram and scikit-learn were imported for all of them).

Checked in a fresh interpreter: which heavy packages a command pulled in, not a timing
(timings are measured in bench/cli_startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("aiogram", "sklearn", "scipy", "matplotlib", "openpyxl", "aiohttp", "apscheduler", "jieba")

PROBE = """
import json, sys
from click.testing import CliRunner
from main import cli
result = CliRunner().invoke(cli, sys.argv[1:])
print(json.dumps({"code": result.exit_code, "output": result.output,
                  "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _run(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_top_level_help_lists_every_command_and_imports_nothing_heavy() -> None:
    result = _run("--help")
    assert result["code"] == 0
    for command in ("serve", "init-db", "demo", "staff", "apikey", "outbox", "kb", "classify", "jobs",
                    "letters", "report"):
        assert f"  {command} " in str(result["output"]), command
    assert not set(HEAVY) & set(result["loaded"])  # type: ignore[arg-type]


@pytest.mark.parametrize(("args", "absent"), [
    (["kb", "--help"], ("aiogram", "sklearn", "matplotlib", "aiohttp")),
    (["report", "--help"], ("aiogram", "sklearn", "aiohttp")),
    (["staff", "invite", "--help"], ("aiogram", "sklearn", "matplotlib", "aiohttp")),
])
def test_a_command_imports_only_its_own_package(args: list[str], absent: tuple[str, ...]) -> None:
    result = _run(*args)
    assert result["code"] == 0, result["output"]
    assert not set(absent) & set(result["loaded"])  # type: ignore[arg-type]


def test_the_listed_summaries_are_the_commands_own() -> None:
    import importlib

    from main import LAZY_COMMANDS

    for name, (path, summary) in LAZY_COMMANDS.items():
        module, _, attribute = path.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert command.get_short_help_str(limit=200) == summary, name
