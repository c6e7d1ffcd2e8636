"""`main.py staff invite` creates a code that /bind accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from main import cli
from tests.conftest import build_org, run_in_thread
from tickets.clock import ManualClock, shanghai
from tickets.context import load_rules
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.models import Staff
from tickets.staff import redeem_invite


@pytest.fixture
def org_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file with the test jurisdiction, named in HOTLINE_DATABASE_URL for the CLI."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_database(url)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", url)

    async def setup() -> None:
        engine = create_engine(url)
        async with session_factory(engine)() as session:
            await build_org(session)
        await engine.dispose()

    run_in_thread(setup)
    return url


def test_staff_invite_then_bind(org_database: str) -> None:
    url = org_database
    runner = CliRunner()
    result = runner.invoke(cli, ["staff", "invite", "--unit", "供电分公司", "--slot", "B"])
    assert result.exit_code == 0, result.output
    code = re.search(r"邀请码：([A-Z0-9]{8})", result.output)
    assert code is not None
    assert "工作人员：联络员2B（供电分公司·B角）" in result.output
    assert f"/bind {code.group(1)}" in result.output

    new = runner.invoke(
        cli, ["staff", "invite", "--unit", "区住建局", "--name", "赵六", "--phone", "13911112222"]
    )
    assert new.exit_code == 0, new.output
    assert "工作人员：赵六（区住建局）" in new.output
    missing = runner.invoke(cli, ["staff", "invite", "--unit", "不存在的局", "--slot", "A"])
    assert missing.exit_code == 1 and "未找到承办单位“不存在的局”。" in missing.output

    async def bind() -> tuple[str, int | None]:
        engine = create_engine(url)
        rules = load_rules(clock=ManualClock(shanghai(2026, 11, 23, 12)))
        try:
            async with session_factory(engine)() as session:
                outcome = await redeem_invite(session, rules=rules, code=code.group(1), account_id=777)
                await session.commit()
                staff = (await session.exec(select(Staff).where(Staff.name == "联络员2B"))).one()
                return outcome.unit_name, staff.telegram_user_id
        finally:
            await engine.dispose()

    assert run_in_thread(bind) == ("供电分公司", 777)


def test_staff_invite_office_and_unclear_requests(org_database: str) -> None:
    """`staff invite --unit 区热线办 --office` failed with "请填写姓名和电话" (issue 13)."""
    runner = CliRunner()
    office = runner.invoke(cli, ["staff", "invite", "--unit", "区热线办", "--office"])
    assert office.exit_code == 0, office.output
    assert (
        re.search(r"邀请码：[A-Z0-9]{8}", office.output) and "工作人员：王主任（区热线办）" in office.output
    )
    # A unit has two handlers: say which are there and how to choose.
    which = runner.invoke(cli, ["staff", "invite", "--unit", "供电分公司"])
    assert which.exit_code == 1
    assert (
        "供电分公司有多名工作人员（联络员2A、联络员2B），请用 --slot A/B 或 --name 指明是谁。" in which.output
    )
    nobody = runner.invoke(cli, ["staff", "invite", "--unit", "供电分公司", "--office"])
    assert nobody.exit_code == 1
    assert "供电分公司还没有这样的工作人员：新建时请用 --name 和 --phone 填写姓名和电话。" in nobody.output
