"""CLI commands of the ticket core: init-db, demo and the 政企通 register (specialist)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import click
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import enterprise, texts
from tickets.context import Actor, Rules
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.demo import demo_is_loaded, load_demo
from tickets.enums import Role
from tickets.errors import HotlineError, NotFound
from tickets.models import Staff
from tickets.privacy import normalize_phone
from tickets.queries import get_unit
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
                result = await load_demo(
                    sessions, rules=Rules.from_settings(settings), tickets=count, seed=seed, advance=advance
                )
            click.echo(
                texts.DEMO_LOADED.format(
                    units=result.units,
                    staff=result.staff,
                    tickets=result.tickets,
                    checks=result.duty_checks,
                    letters=result.duty_letters,
                )
            )
            if (linkage := result.linkage) is not None:
                click.echo(texts.DEMO_LINKAGE.format(
                    whistles=linkage.whistles, referrals=linkage.referrals, firms=linkage.enterprise_requests,
                    specialists=linkage.specialists, letters=linkage.letters, published=linkage.published,
                    hotspot=linkage.hotspot_tickets, repeats=linkage.repeat_tickets))
            click.echo(texts.DEMO_BIND.format(office=result.office_unit, unit=result.handler_unit))
            click.echo(
                texts.DEMO_WEB.format(port=settings.port, office=result.office_unit, unit=result.handler_unit)
            )
        finally:
            await engine.dispose()

    asyncio.run(run())


# --- 政企通 register (tickets.enterprise) ------------------------------------------------------


@click.group("specialist")
def specialist() -> None:
    """The 政企通 register: policy specialists per unit and policy area."""


def _run_register(work: Callable[[AsyncSession, Rules], Awaitable[str]]) -> None:
    settings = Settings()

    async def run() -> str:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session:
                out = await work(session, Rules.from_settings(settings))
                await session.commit()
                return out
        finally:
            await engine.dispose()

    try:
        click.echo(asyncio.run(run()))
    except HotlineError as error:
        raise click.ClickException(error.message) from None


_CLI_ACTOR = Actor(role=Role.OFFICE, name=texts.CLI_ACTOR_NAME)


@specialist.command("add")
@click.option("--unit", "unit_name", required=True, help="The unit's name, as in the units table.")
@click.option("--staff", "staff_ref", required=True, help="The handler: staff id, or their phone.")
@click.option("--area", required=True, help="Policy area, e.g. 稳岗补贴.")
def specialist_add(unit_name: str, staff_ref: str, area: str) -> None:
    """Name a handler of a unit its policy specialist for an area."""

    async def work(session: AsyncSession, rules: Rules) -> str:
        unit = await get_unit(session, name=unit_name.strip())
        staff = await _staff(session, staff_ref)
        found = await enterprise.register_specialist(session, rules=rules, actor=_CLI_ACTOR, unit_id=unit.id,  # type: ignore[arg-type]
                                                     staff_id=staff.id, policy_area=area)  # type: ignore[arg-type]
        return texts.SPECIALIST_ADDED.format(
            id=found.id, name=staff.name, unit=unit.name, area=found.policy_area
        )

    _run_register(work)


@specialist.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Also the deactivated entries.")
def specialist_list(include_inactive: bool) -> None:
    """The register, by unit and area, with each specialist's open enterprise requests."""

    async def work(session: AsyncSession, _rules: Rules) -> str:
        entries = await enterprise.list_specialists(session, include_inactive=include_inactive)
        if not entries:
            return texts.SPECIALISTS_NONE
        return "\n".join(texts.SPECIALIST_LINE.format(
            id=e.id, unit=e.unit, name=e.name, area=e.policy_area, open=e.open_requests,
            state="" if e.active else texts.SPECIALIST_INACTIVE) for e in entries)

    _run_register(work)


@specialist.command("remove")
@click.argument("specialist_id", type=int)
def specialist_remove(specialist_id: int) -> None:
    """Deactivate an entry (kept for the tickets it served)."""

    async def work(session: AsyncSession, rules: Rules) -> str:
        found = await enterprise.deactivate_specialist(session, rules=rules, actor=_CLI_ACTOR,
                                                       specialist_id=specialist_id)
        return texts.SPECIALIST_REMOVED.format(id=found.id, area=found.policy_area)

    _run_register(work)


async def _staff(session: AsyncSession, ref: str) -> Staff:
    ref = ref.strip()
    staff = await session.get(Staff, int(ref)) if ref.isdigit() and len(ref) < 8 else None
    if staff is None and ref:
        phone = normalize_phone(ref) if not ref.isdigit() or len(ref) >= 8 else ref
        staff = (await session.exec(select(Staff).where(Staff.phone == phone))).first()
    if staff is None:
        raise NotFound(texts.ERR_STAFF_NOT_FOUND)
    return staff
