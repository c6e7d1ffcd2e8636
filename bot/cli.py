"""`main.py staff …`: the office creates one-time invite codes for handlers and office staff."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import click

from tickets import texts as ttexts
from tickets.clock import local
from tickets.context import Rules
from tickets.db import create_engine, session_factory
from tickets.enums import HandlerSlot, Role
from tickets.errors import HotlineError
from tickets.settings import Settings
from tickets.staff import create_invite, find_or_create_staff

INVITE_CREATED = (
    "邀请码：{code}\n工作人员：{name}（{unit}{slot}）\n有效期至：{expires}，只能使用一次。"
    "\n请让本人在机器人中发送：/bind {code}"
)



@click.group()
def staff() -> None:
    """Staff accounts: bot invite codes, console passwords."""


@staff.command()
@click.option(
    "--unit", "unit_name", required=True, help="Unit name, e.g. 区住建局 (the office unit for office staff)."
)
@click.option("--slot", type=click.Choice(["A", "B"]), default=None, help="Handler role A or B (A角/B角).")
@click.option("--office", is_flag=True, help="The invite is for an office (热线办) worker.")
@click.option("--name", default=None, help="Name; creates the staff record when no one holds the slot.")
@click.option("--phone", default=None, help="Phone of a new staff record.")
@click.option("--hours", default=72, show_default=True, help="Hours the code stays valid.")
def invite(
    unit_name: str, slot: str | None, office: bool, name: str | None, phone: str | None, hours: int
) -> None:
    """Create a one-time invite code for a handler (or office worker) of UNIT."""
    settings = Settings()
    rules = Rules.from_settings(settings)

    async def run() -> str:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                person = await find_or_create_staff(
                    session, unit_name=unit_name, role=Role.OFFICE if office else Role.HANDLER,
                    slot=HandlerSlot(slot) if slot else None, name=name, phone=phone)
                code, row = await create_invite(session, rules=rules, staff_id=person.id,  # type: ignore[arg-type]
                                                ttl=timedelta(hours=hours), created_by="cli")
                await session.commit()
                return INVITE_CREATED.format(code=code, name=person.name, unit=unit_name,
                                             slot=f"·{slot}角" if slot else "",
                                             expires=ttexts.fmt_local(local(row.expires_at)))
        finally:
            await engine.dispose()

    try:
        click.echo(asyncio.run(run()))
    except HotlineError as error:
        raise click.ClickException(error.message) from error
