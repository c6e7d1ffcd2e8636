"""Shared fixtures: the same storage tests run on SQLite files and on the real PostgreSQL.

PostgreSQL and Redis are required in CI (CI=true): a missing server fails the run
there. On a developer machine without them the tests skip with the reason.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets.calendar import CalendarOverrides, WorkCalendar
from tickets.clock import ManualClock, shanghai
from tickets.context import Actor, Rules
from tickets.db import SessionFactory, create_engine, session_factory
from tickets.enums import HandlerSlot, Role, UnitKind
from tickets.models import Staff, Unit
from tickets.policy import load_policy
from wiring import import_models

T = TypeVar("T")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_ADMIN_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HOTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


import_models()


def run_in_thread(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on its own loop, even from inside a running loop
    (session fixtures may be set up lazily from an async test's fixture)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def missing_server(what: str, error: BaseException) -> None:
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if IN_CI:
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(f"{message}; start it to run these tests")


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[str]:
    """A new empty database on the local PostgreSQL (its URL), dropped on the way out."""
    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"

    async def run(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        run_in_thread(lambda: run(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        missing_server("PostgreSQL", error)
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        run_in_thread(lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test session on the local PostgreSQL, dropped at the end."""
    with throwaway_postgres("hotline_test") as url:

        async def create_schema() -> None:
            engine = create_engine(url, poolclass=NullPool)
            async with engine.begin() as connection:
                await connection.run_sync(SQLModel.metadata.create_all)
            await engine.dispose()

        run_in_thread(create_schema)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "hotline.db"
        eng = create_engine(f"sqlite:///{path}")
        async with eng.begin() as connection:
            await connection.run_sync(SQLModel.metadata.create_all)
    else:
        url = request.getfixturevalue("postgres_url")
        eng = create_engine(url, pool_size=5)
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        async with eng.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return session_factory(engine)


@pytest.fixture
async def session(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    async with sessions() as s:
        yield s


@pytest.fixture
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        missing_server("Redis", error)
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def clock() -> ManualClock:
    """Monday 2026-11-23 10:00 in Shanghai, an ordinary working day."""
    return ManualClock(shanghai(2026, 11, 23, 10, 0))


@pytest.fixture
def rules(clock: ManualClock) -> Rules:
    policy = load_policy()
    return Rules(clock=clock, calendar=WorkCalendar(policy.working_hours, CalendarOverrides()), policy=policy)


@dataclass
class Org:
    """A small jurisdiction: the office and three units with an A and a B handler each.

    Ids and actors are captured at creation, so tests may roll back (which expires ORM
    objects) and still use them.
    """

    office_unit_id: int
    office: Actor
    unit_ids: list[int]
    unit_names: list[str]
    handlers: dict[int, list[Actor]]

    def actor_office(self) -> Actor:
        return self.office

    def handler(self, unit_index: int, slot: int = 0) -> Actor:
        return self.handlers[self.unit_ids[unit_index]][slot]


async def build_org(session: AsyncSession) -> Org:
    office_unit = Unit(name="区热线办", kind=UnitKind.OFFICE)
    session.add(office_unit)
    names = [
        ("区住建局", UnitKind.DEPARTMENT, "物业 房屋 维修"),
        ("柳林洲街道", UnitKind.STREET, "街道 小区"),
        ("供电分公司", UnitKind.UTILITY, "停电 电费"),
    ]
    units = [Unit(name=n, kind=k, keywords=kw) for n, k, kw in names]
    session.add_all(units)
    await session.flush()
    office = Staff(role=Role.OFFICE, unit_id=office_unit.id, name="王主任", phone="13900000001",
                   telegram_user_id=9001)
    session.add(office)
    staff: dict[int, list[Staff]] = {}
    for i, unit in enumerate(units):
        pair = [
            Staff(role=Role.HANDLER, unit_id=unit.id, slot=HandlerSlot.A, name=f"联络员{i}A",
                  phone=f"1380000{i}001", telegram_user_id=1000 + i * 10 + 1),
            Staff(role=Role.HANDLER, unit_id=unit.id, slot=HandlerSlot.B, name=f"联络员{i}B",
                  phone=f"1380000{i}002", telegram_user_id=None),
        ]
        session.add_all(pair)
        staff[unit.id] = pair  # type: ignore[index]
    await session.commit()
    return Org(
        office_unit_id=office_unit.id,  # type: ignore[arg-type]
        office=Actor.of_staff(office),
        unit_ids=[u.id for u in units],  # type: ignore[misc]
        unit_names=[u.name for u in units],
        handlers={uid: [Actor.of_staff(s) for s in pair] for uid, pair in staff.items()},
    )


@pytest.fixture
async def org(session: AsyncSession) -> Org:
    return await build_org(session)


@pytest.fixture(scope="session", autouse=True)
def kb_vector_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Entry vectors of the whole run go to one store outside the checkout: the first
    test that builds the shipped KB encodes it, the others reuse it (as restarts do)."""
    path = str(tmp_path_factory.getbasetemp() / "kb_vectors.npz")
    old = os.environ.get("HOTLINE_KB_VECTORS")
    os.environ["HOTLINE_KB_VECTORS"] = path
    yield path
    if old is None:
        os.environ.pop("HOTLINE_KB_VECTORS", None)
    else:
        os.environ["HOTLINE_KB_VECTORS"] = old
