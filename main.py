"""Command-line entry of the hotline service: serve | init-db | demo | kb … | report … | staff …

main.py wires the packages together; nothing imports it.
"""

from __future__ import annotations

import click

from reports.cli import register as register_reports
from tickets.cli import register as register_tickets


@click.group()
def cli() -> None:
    """12345 hotline bot and integration layer."""


register_tickets(cli)
register_reports(cli)


if __name__ == "__main__":
    cli()
