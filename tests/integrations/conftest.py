"""Fixtures of the integration layer: the real app factory on the parametrised database,
API keys per role, an OpenAPI checker for real responses, and notifier fakes served by
aiohttp on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from pytest_aiohttp import AiohttpClient, AiohttpServer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.app import init_app
from integrations.keys import Scope, create_key
from integrations.openapi import document
from tests.conftest import Org
from tickets.clock import ManualClock
from tickets.context import Rules
from tickets.enums import Role
from wiring import Settings

UPSTREAM_SECRET = "upstream-test-secret"
CDR_SECRET = "cdr-test-secret"


@pytest.fixture
def settings(engine: AsyncEngine) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        upstream_secret=UPSTREAM_SECRET,
        cdr_secret=CDR_SECRET,
        outbox_enabled=False,  # tests drive the worker round by round
        # The scheduler's own tests cover it; here its sweeps would add letters and reminders
        # to the outbox these tests count, depending on the time of day the suite runs.
        scheduler_enabled=False,
        api_rate_limit=10_000,
    )


@dataclass
class Keys:
    office: str
    handler0: str  # handler of org unit 0
    handler1: str  # handler of org unit 1
    creator: str  # a web portal: create + read, acts as the system
    telephony: str
    reader: str  # read only


@pytest.fixture
async def keys(session: AsyncSession, rules: Rules, org: Org) -> Keys:
    everything = [s.value for s in Scope]
    made: dict[str, str] = {}
    for name, scopes, role, unit in [
        ("office", everything, Role.OFFICE, None),
        ("handler0", [Scope.TICKETS_READ, Scope.TICKETS_ACT], Role.HANDLER, org.unit_ids[0]),
        ("handler1", [Scope.TICKETS_READ, Scope.TICKETS_ACT], Role.HANDLER, org.unit_ids[1]),
        ("creator", [Scope.TICKETS_CREATE, Scope.TICKETS_READ], Role.SYSTEM, None),
        ("telephony", [Scope.TELEPHONY], Role.SYSTEM, None),
        ("reader", [Scope.TICKETS_READ], Role.SYSTEM, None),
    ]:
        _, plain = await create_key(
            session, rules=rules, name=name, scopes=[str(s) for s in scopes], role=role, unit_id=unit
        )
        made[name] = plain
    await session.commit()
    return Keys(**made)


class Api:
    """Calls the app and validates every /api/v1 and /hooks response against the
    OpenAPI document (path, method, status, content type and body schema)."""

    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client
        self.openapi = OpenAPI.from_dict(document())

    async def call(self, method: str, path: str, *, key: str | None = None, body: Any = None,
                   raw: bytes | None = None, headers: dict[str, str] | None = None,
                   params: dict[str, str] | None = None, check: bool = True) -> tuple[int, Any]:
        all_headers = dict(headers or {})
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        data = (
            raw
            if raw is not None
            else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
        )
        if data is not None:
            all_headers.setdefault("Content-Type", "application/json")
        # Large bodies go as a stream, the way a real client sends them.
        payload: Any = io.BytesIO(data) if data is not None and len(data) > 1_000_000 else data
        response = await self.client.request(method, path, data=payload, headers=all_headers, params=params)
        content = await response.read()
        if check:
            request = MockRequest("http://127.0.0.1", method.lower(), path, args=params or {}, data=data,
                                  headers=all_headers)
            self.openapi.validate_response(
                request, MockResponse(content, status_code=response.status,
                                      content_type=response.content_type, headers=dict(response.headers)))
        return response.status, json.loads(content) if content else None

    async def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.call("POST", path, **kw)


@pytest.fixture
def make_app(settings: Settings, clock: ManualClock) -> Callable[..., web.Application]:
    def make(**overrides: Any) -> web.Application:
        notifiers = overrides.pop("notifiers", None)
        return init_app(settings.model_copy(update=overrides), clock=clock, notifiers=notifiers)

    return make


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, make_app: Callable[..., web.Application]
) -> TestClient[Any, Any]:
    return await aiohttp_client(make_app())


@pytest.fixture
def api(client: TestClient[Any, Any]) -> Api:
    return Api(client)


# --- notifier fakes --------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeReceiver:
    """An HTTP receiver on 127.0.0.1 whose answers are scripted: each call pops the next
    (status, body) from `script`, then answers `default` forever."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    script: list[tuple[int, Any]] = field(default_factory=list)
    default: tuple[int, Any] = (200, {"errcode": 0, "errmsg": "ok"})
    headers: dict[str, str] = field(default_factory=dict)
    # When set, the first request is held (no answer) until the event is set.
    hold_first: asyncio.Event | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(Received(request.path_qs, dict(request.headers), await request.read()))
        if self.hold_first is not None and len(self.received) == 1:
            await self.hold_first.wait()
        status, body = self.script.pop(0) if self.script else self.default
        return web.json_response(body, status=status, headers=self.headers)


@pytest.fixture
async def receiver(aiohttp_server: AiohttpServer) -> Callable[[], Awaitable[FakeReceiver]]:
    async def start() -> FakeReceiver:
        fake = FakeReceiver()
        app = web.Application()
        app.router.add_post("/{tail:.*}", fake.handle)
        server = await aiohttp_server(app, host="127.0.0.1")
        fake.url = str(server.make_url("/"))
        return fake

    return start
