"""Command-line entry of the hotline service: serve | init-db | demo | kb … | report … | staff …

main.py wires the packages together; nothing imports it.

Each command's module is imported only when that command runs: `main.py --help` must not
pay for aiogram, scikit-learn or matplotlib (seconds each) that most commands never use.
"""

from __future__ import annotations

import importlib

import click

# name -> ("module:attribute", one-line summary for the top-level --help). The summary is
# here so that listing the commands imports none of them; it is the first sentence of the
# command's docstring (tests/test_cli_startup.py keeps the two equal).
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "init-db": ("tickets.cli:init_db", "Create or upgrade the database schema (Alembic migrations)."),
    "demo": (
        "tickets.cli:demo",
        "Fill the database with a demo jurisdiction (units, handlers, office, tickets).",
    ),
    "staff": ("bot.cli:staff", "Staff accounts: bot invite codes, console passwords."),
    "apikey": ("integrations.cli:apikey", "API keys of the REST API, Open311 and the telephony hook."),
    "outbox": (
        "integrations.cli:outbox",
        "The outbox: messages waiting, sent, or dead after too many attempts.",
    ),
    "kb": ("knowledge_base.cli:kb", "Knowledge base (聊天办): import, export, ask, evaluate."),
    "classify": (
        "knowledge_base.classify.cli:classify_group",
        "Request type, urgency and category/unit routing.",
    ),
    "jobs": ("scheduler.cli:jobs", "The scheduled jobs: list them, run one by hand."),
    "letters": ("scheduler.cli:letters", "Letters sent to the units (提示函, 工作提示函, 督办周清单)."),
    "report": ("reports.cli:report", "Indicators, scores, rankings and bulletins."),
    "specialist": (
        "tickets.cli:specialist",
        "The 政企通 register: policy specialists per unit and policy area.",
    ),
}
# Subcommands another package adds to a lazy group: `staff passwd` (console passwords) is the
# web adapter's, the rest of `staff` the bot's.
LAZY_SUBCOMMANDS: dict[str, tuple[str, ...]] = {"staff": ("web.cli:passwd",)}


def _load(path: str) -> click.Command:
    module, _, attribute = path.partition(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    return command


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            command = _load(LAZY_COMMANDS[cmd_name][0])
            if isinstance(command, click.Group):
                for sub in LAZY_SUBCOMMANDS.get(cmd_name, ()):
                    command.add_command(_load(sub))
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        # An office's configuration file that cannot be used stops every command the same way:
        # its message (file, section, key), not a traceback. Imported here: --help stays light.
        from tickets.config_files import ConfigFileError

        try:
            return super().invoke(ctx)
        except ConfigFileError as error:
            raise click.ClickException(str(error)) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = [
            (name, cmd.get_short_help_str(limit)) for name, cmd in self.commands.items() if not cmd.hidden
        ]
        rows += [(name, summary) for name, (_, summary) in LAZY_COMMANDS.items() if name not in self.commands]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))


@click.group(cls=LazyGroup)
def cli() -> None:
    """12345 hotline bot and integration layer."""
    # Before any command logs: no log line of this process may carry a citizen's phone.
    from tickets.privacy import install_log_masking

    install_log_masking()


@cli.command()
@click.option("--host", default=None, help="Listen address (default HOTLINE_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Listen port (default HOTLINE_PORT or 8080).")
def serve(host: str | None, port: int | None) -> None:
    """Run the HTTP service (API, webhooks, scheduler, outbox worker, bot)."""
    import logging

    from aiohttp import web

    from bot.runtime import telegram_extension
    from integrations.app import init_app, server_options
    from scheduler.runner import scheduler_extension
    from web import web_extension
    from wiring import Settings

    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ensure_schema(settings.database_url, migrate=settings.migrate_on_start)
    # The composition root: the web app, then the bot's channel, the scheduler and the web pages.
    extensions = [ext for ext in (telegram_extension(settings), scheduler_extension(settings),
                                  web_extension(settings)) if ext is not None]
    web.run_app(
        init_app(settings, extensions=extensions),
        host=host or settings.host,
        port=port or settings.port,
        **server_options(settings),
    )


def ensure_schema(url: str, *, migrate: bool) -> None:
    """Refuse to serve a database without this code's schema (every request and job would fail
    on it), with one message saying what to run; or bring it up to date when asked to."""
    import asyncio
    import logging

    from tickets.db import SchemaCheck, check_schema, create_engine, upgrade_database
    from wiring import import_models

    import_models()

    async def check() -> SchemaCheck:
        engine = create_engine(url)
        try:
            return await check_schema(engine)
        finally:
            await engine.dispose()

    try:
        schema = asyncio.run(check())
    except Exception as error:  # an unreachable database is /readyz's business, not a refusal
        logging.getLogger("main").warning("schema check at start-up skipped: %s", type(error).__name__)
        return
    if schema.ok:
        return
    if not migrate:
        raise click.ClickException(schema.message())
    upgrade_database(url)
    logging.getLogger("main").info("schema brought up to date (HOTLINE_MIGRATE_ON_START)")


if __name__ == "__main__":
    cli()
