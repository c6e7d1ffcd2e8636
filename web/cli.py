"""`main.py staff passwd`: the office sets a staff member's console password (web/console)."""

from __future__ import annotations

import asyncio
import sys

import click

from tickets.context import Rules
from tickets.db import create_engine, session_factory
from tickets.enums import HandlerSlot, Role
from tickets.errors import HotlineError, ValidationFailed
from tickets.settings import Settings
from tickets.staff import find_or_create_staff
from web.console import passwords, texts


@click.command()
@click.option("--unit", "unit_name", required=True, help="Unit name (the office unit for office staff).")
@click.option("--slot", type=click.Choice(["A", "B"]), default=None, help="Handler role A or B (A角/B角).")
@click.option("--office", is_flag=True, help="The account of an office (热线办) worker.")
@click.option("--name", default=None, help="The staff member's name, when the unit has several.")
@click.option("--login", "login", default=None, help="Login name (default: the staff member's phone number).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
def passwd(unit_name: str, slot: str | None, office: bool, name: str | None, login: str | None,
           password_stdin: bool) -> None:
    """Set the console (/console/) password of a staff member; signs out their other browsers."""
    settings = Settings()
    rules = Rules.from_settings(settings)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            texts.PASSWD_PROMPT, hide_input=True, confirmation_prompt=texts.PASSWD_CONFIRM
        )

    async def run() -> str:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                person = await find_or_create_staff(
                    session, unit_name=unit_name, role=Role.OFFICE if office else Role.HANDLER,
                    slot=HandlerSlot(slot) if slot else None, name=name)
                account = (login or person.phone).strip()
                passwords.check_strength(password, login=account)
                hashed = await asyncio.to_thread(passwords.hash_password, password)
                row = await passwords.set_password(session, staff=person, login=account, password_hash=hashed,
                                                   now=rules.now())
                await passwords.end_sessions(session, staff_id=person.id or 0)
                await session.commit()
                return texts.PASSWD_DONE.format(name=person.name, unit=unit_name, login=row.login)
        finally:
            await engine.dispose()

    try:
        click.echo(asyncio.run(run()))
    except (HotlineError, ValidationFailed) as error:
        raise click.ClickException(error.message) from error
