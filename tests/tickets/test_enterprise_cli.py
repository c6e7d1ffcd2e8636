"""The command lines of issue 18 items 4–5: the 政企通 register (`specialist add/list/remove`)
and the mailbox's index from the database (`report mailbox`)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlmodel import SQLModel

from main import cli
from tests.conftest import build_org
from tests.reports.builders import add_ticket, at
from tickets.db import create_engine, session_factory
from tickets.enums import Channel, Satisfaction
from tickets.models import MailboxLetter


async def invoke(args: list[str], env: dict[str, str]) -> Result:
    # The command runs its own event loop: keep it off this test's loop.
    return await asyncio.to_thread(CliRunner().invoke, cli, args, env=env)


async def test_register_and_mailbox_index_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    engine = create_engine(f"sqlite:///{db}")
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    async with session_factory(engine)() as session:
        org = await build_org(session)
        for replied in (at(10, 12), at(10, 25)):
            ticket = await add_ticket(session, received=at(10, 9), unit_id=org.unit_ids[0], due=at(10, 20),
                                      replied=replied, callback=replied, reached=True,
                                      satisfaction=Satisfaction.SATISFIED, channel=Channel.MAILBOX)
            session.add(MailboxLetter(ticket_id=ticket.id, title="来信", publish_consent=True))  # type: ignore[arg-type]
        # A phone ticket of the same unit: not a letter.
        await add_ticket(
            session, received=at(10, 9), unit_id=org.unit_ids[0], due=at(10, 10), replied=at(10, 30)
        )
        await session.commit()
    await engine.dispose()
    env = {"HOTLINE_DATABASE_URL": f"sqlite:///{db}"}

    empty = await invoke(["specialist", "list"], env)
    assert empty.exit_code == 0 and "还没有政策专员" in empty.output
    added = await invoke(["specialist", "add", "--unit", "区住建局", "--staff", "138 0000 0001",
                          "--area", "住房公积金"], env)
    assert added.exit_code == 0, added.output
    assert "已登记政策专员 #1：区住建局 联络员0A，政策领域“住房公积金”" in added.output
    wrong = await invoke(
        ["specialist", "add", "--unit", "区住建局", "--staff", "13800001001", "--area", "税收"], env
    )
    assert wrong.exit_code != 0 and "不是区住建局的联络员" in wrong.output
    missing = await invoke(["specialist", "add", "--unit", "不存在局", "--staff", "1", "--area", "税收"], env)
    assert missing.exit_code != 0 and "未找到承办单位" in missing.output
    listed = await invoke(["specialist", "list"], env)
    assert "#1  区住建局  联络员0A  住房公积金  在办企业诉求0件" in listed.output
    removed = await invoke(["specialist", "remove", "1"], env)
    assert removed.exit_code == 0 and "已停用" in removed.output
    assert "还没有政策专员" in (await invoke(["specialist", "list"], env)).output
    assert "（已停用）" in (await invoke(["specialist", "list", "--all"], env)).output

    index = await invoke(["report", "mailbox", "--period", "2026-10", "--json"], env)
    assert index.exit_code == 0, index.output
    data = json.loads(index.output)
    row = data["units"][0]
    assert (row["unit"], row["received"], row["on_time"], row["on_time_rate"]) == ("区住建局", 2, 1, 50.0)
    # 30.2 + 30 × 1/2 + 19.8 + 20 = 85.00: grade B.
    assert (row["score"], row["grade"]) == (85.0, "B")
    none = await invoke(["report", "mailbox", "--period", "2026-09"], env)
    assert none.exit_code == 0 and "没有来信" in none.output
