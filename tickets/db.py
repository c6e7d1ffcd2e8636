"""Async engine and sessions for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import tickets.models  # noqa: F401  (registers the tables on SQLModel.metadata)

SessionFactory = async_sessionmaker[AsyncSession]


def async_url(url: str) -> str:
    """Accept plain URLs (sqlite:///x.db, postgresql://…) and pick the async driver."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif driver in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """The same database through a synchronous driver (Alembic migrations)."""
    parsed = make_url(async_url(url))
    if parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    full = async_url(url)
    # A failed statement's error (logged with its traceback) would otherwise carry the bound
    # values: citizens' phones, names and words. The SQL alone is enough to debug.
    kwargs.setdefault("hide_parameters", True)
    if full.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    elif "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(full, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while the outbox worker writes; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with factory() as session, session.begin():
        yield session


MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def upgrade_database(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` with Alembic (synchronous: call it outside an event loop)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    command.upgrade(config, revision)


class SchemaState(StrEnum):
    CURRENT = "current"
    MISSING = "missing"  # no tables of ours: init-db was never run
    OUTDATED = "outdated"  # an older migration, or tables missing


@dataclass(frozen=True)
class SchemaCheck:
    state: SchemaState
    current: str | None = None  # the database's Alembic revision, when it has one
    head: str | None = None  # the revision this code needs
    missing_tables: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state is SchemaState.CURRENT

    def message(self) -> str:
        """What an operator reads (start-up refusal, /readyz)."""
        from tickets import texts

        if self.state is SchemaState.MISSING:
            return texts.SCHEMA_MISSING
        missing = texts.SCHEMA_MISSING_TABLES.format(tables="、".join(self.missing_tables[:5])) \
            if self.missing_tables else ""
        return texts.SCHEMA_OUTDATED.format(current=self.current or texts.SCHEMA_NO_VERSION, head=self.head,
                                            missing=missing)


@cache
def migration_head() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


async def check_schema(engine: AsyncEngine) -> SchemaCheck:
    """Whether the database has the schema this code needs. A database made by Alembic must be
    at the head revision; one made from the models directly (tests, benchmarks) must have
    every registered table. Connection errors propagate (not ready is not "no schema")."""

    def inspect_tables(connection: Any) -> tuple[set[str], str | None]:
        tables = set(inspect(connection).get_table_names())
        version = None
        if "alembic_version" in tables:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return tables, version

    async with engine.connect() as connection:
        tables, version = await connection.run_sync(inspect_tables)
    head = migration_head()
    wanted = set(SQLModel.metadata.tables)
    missing = tuple(sorted(wanted - tables))
    if not (wanted & tables) and version is None:
        return SchemaCheck(SchemaState.MISSING, head=head, missing_tables=missing)
    if (version is not None and version != head) or missing:
        return SchemaCheck(SchemaState.OUTDATED, current=version, head=head, missing_tables=missing)
    return SchemaCheck(SchemaState.CURRENT, current=version, head=head)


def insert_for(target: Any) -> Any:
    """The dialect's INSERT with ON CONFLICT (SQLite and PostgreSQL spell it alike) for an
    AsyncSession, a Connection or a dialect name: idempotent writes without catching errors,
    which would abort a PostgreSQL transaction."""
    if isinstance(target, str):
        name = target
    elif getattr(target, "dialect", None) is not None:
        name = target.dialect.name
    else:
        bind = getattr(target, "bind", None)
        name = bind.dialect.name if bind is not None else "sqlite"
    return postgresql.insert if name == "postgresql" else sqlite.insert
