"""`main.py staff passwd` sets a console password (Argon2id) that the sign-in accepts."""

from __future__ import annotations

from click.testing import CliRunner
from sqlmodel import select

from main import cli
from tests.bot.test_cli import org_database  # noqa: F401  (the fixture: a SQLite file with the test org)
from tests.conftest import run_in_thread
from tickets.db import create_engine, session_factory
from web.console import passwords
from web.models import StaffPassword


def stored(url: str) -> list[StaffPassword]:
    async def read() -> list[StaffPassword]:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                return list((await session.exec(select(StaffPassword))).all())
        finally:
            await engine.dispose()

    return run_in_thread(read)


def test_staff_passwd_sets_a_hashed_password(org_database: str) -> None:  # noqa: F811
    runner = CliRunner()
    result = runner.invoke(cli, ["staff", "passwd", "--unit", "区住建局", "--slot", "A"],
                           input="Zhujian-2026\nZhujian-2026\n")
    assert result.exit_code == 0, result.output
    assert "已为 联络员0A（区住建局）设置工作台密码，登录账号：13800000001。" in result.output
    [row] = stored(org_database)
    assert row.login == "13800000001" and row.password_hash.startswith("$argon2id$")
    assert "Zhujian-2026" not in row.password_hash
    assert passwords.matches(row.password_hash, "Zhujian-2026")
    assert not passwords.matches(row.password_hash, "Zhujian-2027")

    office = runner.invoke(cli, ["staff", "passwd", "--unit", "区热线办", "--office", "--login", "wang",
                                 "--password-stdin"], input="Office-pass-9\n")
    assert office.exit_code == 0, office.output
    assert "登录账号：wang" in office.output


def test_staff_passwd_refuses_weak_passwords_and_taken_logins(org_database: str) -> None:  # noqa: F811
    runner = CliRunner()
    short = runner.invoke(cli, ["staff", "passwd", "--unit", "区住建局", "--slot", "A", "--password-stdin"],
                          input="abc123\n")
    assert short.exit_code == 1 and "密码至少需要 10 个字符。" in short.output
    letters = runner.invoke(cli, ["staff", "passwd", "--unit", "区住建局", "--slot", "A", "--password-stdin"],
                            input="onlyletters-here\n")
    assert letters.exit_code == 1 and "密码须同时包含字母和数字。" in letters.output
    first = runner.invoke(cli, ["staff", "passwd", "--unit", "区住建局", "--slot", "A", "--login", "zj",
                                "--password-stdin"], input="Zhujian-2026\n")
    assert first.exit_code == 0, first.output
    taken = runner.invoke(cli, ["staff", "passwd", "--unit", "供电分公司", "--slot", "A", "--login", "zj",
                                "--password-stdin"], input="Gongdian-2026\n")
    assert taken.exit_code == 1 and "登录账号“zj”已被他人使用，请换一个。" in taken.output
    assert [r.login for r in stored(org_database)] == ["zj"]
