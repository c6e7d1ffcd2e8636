"""`main.py report …`: scores from counts, unit tables and bulletins from the database."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reports.schemes import SchemeError, format_table, load_scheme, read_counts, score_units


def register(cli: click.Group) -> None:
    """Attach the `report` command group to the main CLI."""
    cli.add_command(report)


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
