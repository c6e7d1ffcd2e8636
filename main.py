"""Command-line entry of the hotline service: serve | init-db | demo | kb … | report … | staff …

main.py wires the packages together; nothing imports it.
"""

from __future__ import annotations

import click

from knowledge_base.classify.cli import register as register_classify
from tickets.cli import register as register_tickets


@click.group()
def cli() -> None:
    """12345 hotline bot and integration layer."""


register_tickets(cli)
register_classify(cli)


if __name__ == "__main__":
    cli()
