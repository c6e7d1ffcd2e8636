"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from tests.conftest import run_in_thread, throwaway_postgres
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
    with throwaway_postgres("hotline_mig") as url:
        upgrade_database(url)
        assert run_in_thread(lambda: schema_differences(url)) == []
