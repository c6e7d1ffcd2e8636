"""Command-line entry of the hotline service: serve | init-db | demo | kb … | report … | staff …

main.py wires the packages together; nothing imports it.
"""

from __future__ import annotations

import logging

import click
from aiohttp import web

from bot.cli import register as register_bot
from bot.runtime import telegram_extension
from integrations.app import init_app
from integrations.cli import register as register_integrations
from knowledge_base.classify.cli import register as register_classify
from knowledge_base.cli import register as register_kb
from reports.cli import register as register_reports
from scheduler.cli import register as register_scheduler
from scheduler.runner import scheduler_extension
from tickets.cli import register as register_tickets
from wiring import Settings


@click.group()
def cli() -> None:
    """12345 hotline bot and integration layer."""


@cli.command()
@click.option("--host", default=None, help="Listen address (default HOTLINE_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Listen port (default HOTLINE_PORT or 8080).")
def serve(host: str | None, port: int | None) -> None:
    """Run the HTTP service (API, webhooks, scheduler, outbox worker, bot)."""
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The composition root: the web app, then the bot's channel, then the scheduler.
    extensions = [ext for ext in (telegram_extension(settings), scheduler_extension(settings)) if ext is not None]
    web.run_app(init_app(settings, extensions=extensions), host=host or settings.host, port=port or settings.port)


register_tickets(cli)
register_kb(cli)
register_classify(cli)
register_reports(cli)
register_integrations(cli)
register_scheduler(cli)
register_bot(cli)


if __name__ == "__main__":
    cli()
