"""The aiohttp application factory. Shared resources live under typed AppKeys and are
opened and closed in one cleanup_ctx each."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from tickets.clock import Clock
from tickets.db import SessionFactory, create_engine, session_factory
from tickets.service import Rules
from tickets.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", SessionFactory)
RULES = web.AppKey("rules", Rules)


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def init_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app[RULES] = Rules.from_settings(settings, clock)

    async def database(app: web.Application) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app[ENGINE] = engine
        app[SESSIONS] = session_factory(engine)
        yield
        await engine.dispose()

    app.cleanup_ctx.append(database)
    app.router.add_get("/healthz", healthz)
    return app
