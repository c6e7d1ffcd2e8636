"""CLI commands of the ticket core: init-db, demo, serve wiring lives in main.py."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Attach this package's commands to the main CLI group."""
