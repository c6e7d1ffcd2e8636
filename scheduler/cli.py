"""CLI of the scheduler: `jobs list | run`, `letters list | show`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import click

from scheduler import runs
from scheduler import texts as st
from scheduler.config import SchedulerSettings
from scheduler.core import JobScheduler
from scheduler.models import RunTrigger
from tickets import letter_texts as lt
from tickets.clock import SHANGHAI, ManualClock, SystemClock, local
from tickets.context import Rules
from tickets.db import SessionFactory, create_engine, session_factory
from tickets.enums import NoticeKind
from tickets.errors import HotlineError
from tickets.letters import docx_filename, get_notice, list_notices, notice_docx
from tickets.settings import Settings
from tickets.terminal import text_table

T = TypeVar("T")


def _with_sessions(work: Callable[[SessionFactory, Settings], Awaitable[T]]) -> T:
    settings = Settings()

    async def main() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(session_factory(engine), settings)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except HotlineError as error:
        raise click.ClickException(error.message) from error


def parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
    except ValueError as error:
        raise click.BadParameter(st.BAD_AT) from error


def _fmt(value: datetime | None) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M") if value is not None else st.NEVER


@click.group()
def jobs() -> None:
    """The scheduled jobs: list them, run one by hand."""


@jobs.command("list")
def jobs_list() -> None:
    """Each job with its next run and its last recorded run."""

    async def work(sessions: SessionFactory, settings: Settings) -> None:
        rules = Rules.from_settings(settings)
        scheduler = JobScheduler(sessions=sessions, rules=rules, settings=SchedulerSettings())
        next_runs = scheduler.next_run_times(rules.now())
        click.echo(st.LIST_HEADER)
        async with sessions() as session:
            for name in scheduler.jobs:
                latest = await runs.latest_runs(session, job=name, limit=1)
                last = (
                    f"{_fmt(latest[0].due_at)} / {st.OUTCOME.get(latest[0].outcome.value, latest[0].outcome)}"
                    if latest
                    else st.NEVER
                )
                click.echo(f"{name:<28}{_fmt(next_runs[name]):<19}{last:<31}{st.JOB_DESCRIPTION[name]}")

    _with_sessions(work)


@jobs.command("run")
@click.argument("name")
@click.option("--at", "at_text", default=None, metavar='"YYYY-MM-DD HH:MM"',
              help="Run as if at this Shanghai time (default: now).")
def jobs_run(name: str, at_text: str | None) -> None:
    """Run job NAME once, now or as if at --at. Letters already sent are not sent again."""
    at = parse_at(at_text)

    async def work(sessions: SessionFactory, settings: Settings) -> None:
        clock = ManualClock(at) if at is not None else SystemClock()
        rules = Rules.from_settings(settings, clock)
        scheduler = JobScheduler(sessions=sessions, rules=rules, settings=SchedulerSettings())
        if name not in scheduler.jobs:
            raise click.ClickException(st.UNKNOWN_JOB.format(name=name, names="、".join(scheduler.jobs)))
        due = rules.now().replace(second=0, microsecond=0)
        report = await scheduler.run_job(name, due_at=due, trigger=RunTrigger.MANUAL)
        outcome = report.outcome.value if report.outcome else "-"
        click.echo(st.RAN.format(name=name, at=_fmt(due), outcome=st.OUTCOME.get(outcome, outcome)))
        click.echo(json.dumps(report.counts, ensure_ascii=False, sort_keys=True))
        if report.outcome is not None and report.outcome.value == "failed":
            raise click.exceptions.Exit(1)

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _with_sessions(work)


@click.group()
def letters() -> None:
    """Letters sent to the units (提示函, 工作提示函, 督办周清单)."""


@letters.command("list")
@click.option("--unit", default=None, help="Unit name or id.")
@click.option("--kind", type=click.Choice([k.value for k in NoticeKind]), default=None)
@click.option("--limit", type=click.IntRange(1, 10000), default=200, show_default=True)
@click.option(
    "--json", "as_json", is_flag=True, help="A JSON list of objects (id, kind, unit, period, created_at…)."
)
def letters_list(unit: str | None, kind: str | None, limit: int, as_json: bool) -> None:
    """Newest first."""

    async def work(sessions: SessionFactory, _settings: Settings) -> None:
        async with sessions() as session:
            rows = await list_notices(
                session, unit=unit, kind=NoticeKind(kind) if kind else None, limit=limit
            )
        if as_json:
            click.echo(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
            return
        if not rows:
            click.echo(st.NO_LETTERS)
            return
        click.echo(text_table(st.LETTER_HEADER, [
            (row.id, lt.NOTICE_KIND_LABEL.get(row.kind.value, row.kind.value), row.unit, row.period,
             _fmt(row.created_at))
            for row in rows
        ]))

    _with_sessions(work)


@letters.command("show")
@click.argument("notice_id", type=int)
@click.option("--docx", "docx_path", type=click.Path(dir_okay=True, path_type=Path), default=None,
              help="Also write the letter as a Word file (a file path, or a folder for the default name).")
def letters_show(notice_id: int, docx_path: Path | None) -> None:
    """The letter's Markdown text; with --docx also the .docx document."""

    into_folder = docx_path is not None and docx_path.is_dir()

    async def work(sessions: SessionFactory, _settings: Settings) -> None:
        async with sessions() as session:
            notice, unit = await get_notice(session, notice_id=notice_id)
        click.echo(
            f"函件 {notice.id} · {lt.NOTICE_KIND_LABEL.get(notice.kind.value, notice.kind.value)} · {unit} · "
            f"{notice.period_key} · {_fmt(notice.created_at)}"
        )
        click.echo(notice.body)
        if docx_path is not None:
            target = docx_path / docx_filename(notice, unit) if into_folder else docx_path
            target.write_bytes(notice_docx(notice))
            click.echo(st.DOCX_WRITTEN.format(path=target))

    _with_sessions(work)
