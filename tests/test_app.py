"""The real application factory answers its health check."""

from __future__ import annotations

from pathlib import Path

from pytest_aiohttp import AiohttpClient

from integrations.app import init_app
from wiring import Settings


async def test_healthz(aiohttp_client: AiohttpClient, tmp_path: Path) -> None:
    client = await aiohttp_client(init_app(Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}")))
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}
