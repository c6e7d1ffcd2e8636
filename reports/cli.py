"""`main.py report …`: scores from counts, unit tables and bulletins from the database."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import click

from reports import texts
from reports.periods import Period, parse_period
from reports.schemes import SchemeError, ScoreTable, format_table, load_scheme, read_counts, score_units


@click.group()
def report() -> None:
    """Indicators, scores, rankings and bulletins."""


@report.command("score")
@click.option(
    "--scheme", "scheme_name", required=True, help="pudong-2024, comprehensive-index or a YAML file"
)
@click.option(
    "--counts", "counts_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def score_command(scheme_name: str, counts_path: Path, as_json: bool) -> None:
    """Score units from a CSV of per-unit counts (one row per unit)."""
    try:
        scheme = load_scheme(scheme_name)
        table = score_units(scheme, read_counts(counts_path.read_bytes(), scheme))
    except SchemeError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(table.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(table))


def _period(text: str, pattern: str) -> Period:
    if not re.fullmatch(pattern, text.strip(), flags=re.IGNORECASE):
        raise click.BadParameter(texts.ERR_PERIOD.format(text=text[:40]))
    try:
        return parse_period(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@report.command("units")
@click.option(
    "--scheme", "scheme_name", required=True, help="pudong-2024, comprehensive-index or a YAML file"
)
@click.option(
    "--period", "period_text", required=True, help="2026-10, 2026-W47, 2026-Q3 or 2026-10-01..2026-10-15"
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def units_command(scheme_name: str, period_text: str, as_json: bool) -> None:
    """Score every unit from the tickets of a period."""
    from reports.service import score_period

    _score_from_database(score_period, scheme_name, period_text, as_json, texts.NO_UNITS)


def _score_from_database(
    read: Callable[..., Coroutine[Any, Any, ScoreTable | None]],
    scheme_name: str,
    period_text: str,
    as_json: bool,
    nothing: str,
) -> None:
    """Read a period's score table from the database and print it (or `nothing`)."""
    try:
        period = parse_period(period_text)
        scheme = load_scheme(scheme_name)
    except (ValueError, SchemeError) as exc:
        raise click.ClickException(str(exc)) from None
    table = asyncio.run(read(scheme=scheme, period=period))
    if table is None:
        click.echo(nothing)
        return
    click.echo(json.dumps(table.as_json(), ensure_ascii=False, indent=2) if as_json else format_table(table))


@report.command("mailbox")
@click.option(
    "--period", "period_text", required=True, help="2021-Q3, 2026-10, 2026-W47 or 2026-10-01..2026-10-15"
)
@click.option("--scheme", "scheme_name", default="comprehensive-index", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def mailbox_command(period_text: str, scheme_name: str, as_json: bool) -> None:
    """The mayor's mailbox (市长信箱) comprehensive index of a period, from the letters in the database."""
    from reports.service import mailbox_period

    _score_from_database(mailbox_period, scheme_name, period_text, as_json, texts.NO_LETTERS)


def _bulletin(kind: str, period: Period, out: Path, scheme_name: str, rules: Path | None) -> None:
    from reports.service import BULLETIN_STEPS, make_bulletin
    from tickets.terminal import progress

    try:
        scheme = load_scheme(scheme_name)
    except SchemeError as exc:
        raise click.ClickException(str(exc)) from None
    label = texts.PROGRESS_MONTHLY if kind == "monthly" else texts.PROGRESS_WEEKLY
    with progress(label, total=BULLETIN_STEPS) as advance:
        files = asyncio.run(
            make_bulletin(
                kind=kind, period=period, out_dir=out, scheme=scheme, rules_path=rules, advance=advance
            )
        )
    for path in [files.markdown, files.xlsx, *files.charts]:
        click.echo(str(path))


_SCHEME = click.option("--scheme", "scheme_name", default="pudong-2024", show_default=True)
_RULES = click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML overriding the ranking rules (reports/rankings.yaml).",
)
_OUT = click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)


@report.command("monthly")
@click.option("--month", required=True, help="2026-10")
@_OUT
@_SCHEME
@_RULES
def monthly_command(month: str, out: Path, scheme_name: str, rules: Path | None) -> None:
    """Monthly bulletin: Markdown, XLSX and PNG charts in OUT."""
    _bulletin("monthly", _period(month, r"\d{4}-\d{1,2}"), out, scheme_name, rules)


@report.command("weekly")
@click.option("--week", required=True, help="2026-W47")
@_OUT
@_SCHEME
@_RULES
def weekly_command(week: str, out: Path, scheme_name: str, rules: Path | None) -> None:
    """Weekly bulletin: Markdown, XLSX and PNG charts in OUT."""
    _bulletin("weekly", _period(week, r"\d{4}-W\d{1,2}"), out, scheme_name, rules)


@report.command("deputies")
@click.option("--month", required=True, help="2026-11")
@_OUT
def deputies_command(month: str, out: Path) -> None:
    """The month's list of hard complaints for the deputies' liaison: Markdown and XLSX in OUT."""
    from reports.service import make_deputy_list

    files = asyncio.run(make_deputy_list(period=_period(month, r"\d{4}-\d{1,2}"), out_dir=out))
    click.echo(str(files.markdown))
    click.echo(str(files.xlsx))


@report.command("linkage")
@click.option(
    "--period", "period_text", required=True, help="2026-10, 2026-Q3 or 2020-01-01..2023-06-30"
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of sentences.")
def linkage_command(period_text: str, as_json: bool) -> None:
    """吹哨报到 by who blew the whistle and the tickets referred by deputies, from the database."""
    from reports.formula import pct
    from reports.linkage import deputy_paragraph, whistle_paragraph
    from reports.service import linkage_figures

    try:
        period = parse_period(period_text)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    whistles, deputies = asyncio.run(linkage_figures(period=period))
    if not as_json:
        click.echo(whistle_paragraph(whistles))
        click.echo(deputy_paragraph(deputies))
        return
    lines = [*whistles.lines, whistles.total]
    click.echo(json.dumps({
        "whistles": [{"blower": line.kind.value if line.kind else "total", "whistles": line.whistles,
                      "summoned": line.summoned, "reported_in": line.reported_in, "on_time": line.on_time,
                      "on_time_rate": pct(line.on_time_rate), "solved": line.solved,
                      "solved_asked": line.solved_asked, "solution_rate": pct(line.solution_rate)}
                     for line in lines],
        "deputies": {"referred": deputies.referred, "on_time_rate": pct(deputies.rate("on_time_rate")),
                     "satisfaction_rate": pct(deputies.rate("satisfaction_rate"))},
    }, ensure_ascii=False, indent=2))
