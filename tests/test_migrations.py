"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from tests.conftest import POSTGRES_ADMIN_URL, missing_server, run_in_thread
from tickets.db import create_engine, upgrade_database


async def schema_differences(url: str) -> list[object]:
    engine = create_engine(url, poolclass=NullPool)
    async with engine.connect() as connection:
        diffs = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": False}),
                                          SQLModel.metadata)
        )
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    await engine.dispose()
    assert "ticket" in tables and "outbox" in tables
    return diffs


def test_migrations_match_models_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade_database(url)
    assert run_in_thread(lambda: schema_differences(url)) == []


@pytest.mark.postgres
def test_migrations_match_models_on_postgres() -> None:
    name = f"hotline_mig_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        run_in_thread(lambda: admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        missing_server("PostgreSQL", error)
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade_database(url)
        assert run_in_thread(lambda: schema_differences(url)) == []
    finally:
        run_in_thread(lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
