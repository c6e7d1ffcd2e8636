"""CLI commands of the ticket core: init-db and demo."""

from __future__ import annotations

import asyncio

import click

from tickets import texts
from tickets.context import Rules
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.demo import demo_is_loaded, load_demo
from tickets.settings import Settings
from tickets.terminal import progress


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    settings = Settings()
    upgrade_database(settings.database_url)
    click.echo("数据库已就绪。")


@click.command()
@click.option("--tickets", "count", default=300, show_default=True, help="How many demo tickets.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has tickets.")
@click.option("--seed", default=12345, show_default=True, help="Random seed (same seed, same data).")
def demo(count: int, if_empty: bool, seed: int) -> None:
    """Fill the database with a demo jurisdiction (units, handlers, office, tickets)."""
    settings = Settings()
    upgrade_database(settings.database_url)

    async def run() -> None:
        engine = create_engine(settings.database_url)
        sessions = session_factory(engine)
        try:
            async with sessions() as session:
                if await demo_is_loaded(session):
                    if if_empty:
                        click.echo("数据库中已有数据，跳过演示数据。")
                        return
                    raise click.ClickException("数据库中已有工单：演示数据只能装入空数据库。")
            with progress(texts.DEMO_PROGRESS, total=count) as advance:
                result = await load_demo(sessions, rules=Rules.from_settings(settings), tickets=count, seed=seed,
                                         advance=advance)
            click.echo(texts.DEMO_LOADED.format(units=result.units, staff=result.staff, tickets=result.tickets,
                                                checks=result.duty_checks, letters=result.duty_letters))
            click.echo(texts.DEMO_BIND.format(office=result.office_unit, unit=result.handler_unit))
            click.echo(texts.DEMO_WEB.format(port=settings.port, office=result.office_unit, unit=result.handler_unit))
        finally:
            await engine.dispose()

    asyncio.run(run())
