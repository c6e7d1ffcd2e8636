"""A database without the schema (init-db forgotten) or with an older one (issue 19, item 9):
`main.py serve` refuses to start with one clear message, or migrates when
HOTLINE_MIGRATE_ON_START asks it to; /readyz says why it is not ready. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import throwaway_postgres
from tests.integrations.conftest import Api
from tickets.db import migration_head

ROOT = Path(__file__).resolve().parents[2]
REFUSAL = ("数据库中还没有数据表。请先运行 python main.py init-db 建表"
           "（或设置 HOTLINE_MIGRATE_ON_START=true，在启动时自动建表）。")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with throwaway_postgres("hotline_empty") as url:
        yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_serve(url: str, port: int, tmp_path: Path, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), "serve", "--port", str(port), cwd=tmp_path,
        env={**os.environ, "HOTLINE_DATABASE_URL": url, "HOTLINE_SCHEDULER_ENABLED": "false",
             "HOTLINE_TELEGRAM_TOKEN": "", **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_serve_refuses_a_database_without_the_schema(empty_database: str, tmp_path: Path) -> None:
    process = await start_serve(empty_database, free_port(), tmp_path)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 1
    message = err.decode()
    assert message.count(REFUSAL) == 1, message
    assert "Traceback" not in message and out == b""


async def test_serve_migrates_when_asked(empty_database: str, tmp_path: Path) -> None:
    port = free_port()
    process = await start_serve(empty_database, port, tmp_path, HOTLINE_MIGRATE_ON_START="true")
    try:
        ready: tuple[int, Any] | None = None
        async with aiohttp.ClientSession() as http:
            for _ in range(240):  # up to 120 s for migrations, jieba and the knowledge base
                if process.returncode is not None:
                    break
                try:
                    async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                        ready = (response.status, await response.json())
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.5)
        assert ready is not None and ready[0] == 200 and ready[1]["status"] == "ready", ready
    finally:
        if process.returncode is None:
            process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), 60)
    assert "Traceback" not in err.decode()


async def test_readyz_names_an_outdated_schema(api: Api, engine: AsyncEngine) -> None:
    status, body = await api.get("/readyz", check=False)
    assert status == 200 and body["status"] == "ready"
    head = migration_head()
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        await connection.execute(text("INSERT INTO alembic_version VALUES ('0004')"))
    try:
        status, body = await api.get("/readyz", check=False)
        assert status == 503
        assert body["error"] == {"code": "schema_outdated", "message": (
            f"数据库结构不是当前版本（数据库为 0004，程序需要 {head}）。"
            "请运行 python main.py init-db 升级（或设置 HOTLINE_MIGRATE_ON_START=true，在启动时自动升级）。")}
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        status, body = await api.get("/readyz", check=False)
        assert status == 200
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("DROP TABLE alembic_version"))
