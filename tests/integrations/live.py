"""The real app served on 127.0.0.1 from a thread with its own event loop, for clients that
block (schemathesis sends with `requests`): the fuzz test and bench/fuzz.py share it."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from aiohttp import web
from schemathesis import Case
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode
from sqlalchemy import text
from sqlmodel import SQLModel

from integrations.app import init_app, server_options
from integrations.keys import Scope, create_key
from tests.conftest import Org, build_org
from tickets.context import Rules
from tickets.db import create_engine, session_factory
from tickets.enums import Role
from wiring import Settings, import_models

UPSTREAM_SECRET = "live-upstream-secret"


def auth_for(case: Case, key: str) -> dict[str, str]:
    """The office key for a case, unless its headers were made invalid on purpose (a missing
    Authorization): adding the key would repair the case and the app would rightly accept it."""
    headers = case.meta.components.get(ParameterLocation.HEADER) if case.meta is not None else None
    if headers is not None and headers.mode is GenerationMode.NEGATIVE:
        return {}
    return {"Authorization": f"Bearer {key}"}


@dataclass
class LiveApp:
    database_url: str
    key: str = ""  # an office key with every scope
    port: int = 0
    org: Org | None = None
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveApp:
        self._thread = threading.Thread(target=self._loop.run_forever, name="live-app", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(180)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(30)
        self._loop.close()

    async def _start(self) -> None:
        import_models()
        engine = create_engine(self.database_url)
        async with engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
            if engine.dialect.name == "postgresql":
                tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        settings = Settings(
            database_url=self.database_url,
            upstream_secret=UPSTREAM_SECRET,
            cdr_secret="live-cdr-secret",
            outbox_enabled=False,
            scheduler_enabled=False,
            api_rate_limit=10**9,
        )
        async with session_factory(engine)() as session:
            self.org = await build_org(session)
            _, self.key = await create_key(session, rules=Rules.from_settings(settings), name="fuzz",
                                           scopes=[s.value for s in Scope], role=Role.OFFICE, unit_id=None)
            await session.commit()
        await engine.dispose()
        self._runner = web.AppRunner(init_app(settings), **server_options(settings))
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
