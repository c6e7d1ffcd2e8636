"""Group commit of ticket intake (integrations.batcher) on SQLite and PostgreSQL: concurrent
requests share transactions yet each gets its own ticket or its own error; a database
failure falls back to one by one; a full queue answers 503; stopping loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from pytest_aiohttp import AiohttpClient
from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from integrations import texts
from integrations.batcher import INTAKE, INTAKE_LIMITS, IntakeBatcher, IntakeLimits
from integrations.http import ApiError
from tests.conftest import Org
from tests.integrations.conftest import Api, Keys
from tickets.clock import ManualClock, local
from tickets.context import Actor, Rules
from tickets.db import SessionFactory
from tickets.enums import Action, Channel, OutboxChannel, Role
from tickets.models import Citizen, Outbox, Ticket, TicketEvent
from tickets.schemas import TicketCreate

PORTAL = Actor(role=Role.SYSTEM, name="门户网站")
REJECT_MARK = "拒收标记"


def body(i: int, **overrides: Any) -> dict[str, Any]:
    values = {
        "request_type": "complaint",
        "category": "物业管理",
        "content": f"幸福小区{i}号楼电梯坏了，请尽快维修。",
        "place": f"幸福小区{i}号楼",
        "contact_name": "张三",
        "contact_phone": f"138{i:08d}",
    }
    return values | overrides


def draft(i: int, **overrides: Any) -> TicketCreate:
    return TicketCreate.model_validate({"channel": Channel.WEB, **body(i), **overrides})


async def app_with(aiohttp_client: AiohttpClient, make_app: Callable[..., web.Application],
                   limits: IntakeLimits) -> tuple[web.Application, Api]:
    app = make_app()
    app[INTAKE_LIMITS] = limits
    return app, Api(await aiohttp_client(app))


async def test_concurrent_requests_get_distinct_consecutive_numbers_each_with_audit_and_receipt(
        aiohttp_client: AiohttpClient, make_app: Callable[..., web.Application], keys: Keys,
        sessions: SessionFactory, clock: ManualClock) -> None:
    app, api = await app_with(aiohttp_client, make_app, IntakeLimits(max_wait=0.02))
    replies = await asyncio.gather(
        *(api.post("/api/v1/tickets", key=keys.creator, body=body(i)) for i in range(40))
    )

    assert [status for status, _ in replies] == [201] * 40
    day = local(clock.now()).strftime("%Y%m%d")
    numbers = [reply["number"] for _, reply in replies]
    assert sorted(numbers) == [f"{day}{n:05d}" for n in range(1, 41)]
    # Each request got its own ticket back, not a neighbour's from the same batch.
    assert [reply["place"] for _, reply in replies] == [f"幸福小区{i}号楼" for i in range(40)]
    stats = app[INTAKE].stats
    assert stats.tickets == 40 and stats.batches < 40 and stats.fallbacks == 0

    async with sessions() as session:
        tickets = {t.id: t for t in (await session.exec(select(Ticket))).all()}
        events = list((await session.exec(select(TicketEvent))).all())
        outbox = list((await session.exec(select(Outbox))).all())
    assert sorted(t.number for t in tickets.values()) == sorted(numbers)
    assert sorted(tickets[e.ticket_id].number for e in events) == sorted(numbers)
    assert all(e.action is Action.RECEIVE and e.actor_name == "creator" for e in events)
    receipts = {(o.payload["number"], o.channel, o.recipient) for o in outbox
                if o.payload["kind"] == "ticket_received"}
    # Every API ticket also gets the office's 新工单 card, as a bot ticket does.
    assert sorted(o.payload["number"] for o in outbox if o.payload["kind"] == "ticket_new") == sorted(numbers)
    by_number = {t.number: t for t in tickets.values()}
    assert receipts == {(n, OutboxChannel.SMS, by_number[n].contact_phone) for n in numbers}


async def test_a_refused_draft_fails_alone_inside_its_batch(
        aiohttp_client: AiohttpClient, make_app: Callable[..., web.Application], keys: Keys) -> None:
    app, api = await app_with(aiohttp_client, make_app, IntakeLimits(max_wait=0.2))
    bodies = [body(0), body(1), body(2, place="地" * 201), body(3), body(4, content="吵" * 5001)]
    replies = await asyncio.gather(*(api.post("/api/v1/tickets", key=keys.creator, body=b) for b in bodies))

    assert app[INTAKE].stats.batches == 1
    assert [status for status, _ in replies] == [201, 201, 422, 201, 422]
    assert replies[2][1] == {"error": {"code": "invalid", "message": "“地点”超过 200 字的上限。"}}
    assert replies[4][1]["error"]["message"] == "诉求内容共 5001 字，超过 5000 字的上限，请精简后再提交。"
    numbers = [reply["number"] for status, reply in replies if status == 201]
    assert len(set(numbers)) == 3


async def install_reject_trigger(engine: AsyncEngine) -> None:
    """A real database error for one row, in the middle of the batch's transaction: the
    citizens are inserted and the counter bumped before the ticket insert fails."""
    async with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            await connection.execute(
                text(
                    "CREATE TRIGGER reject_marked BEFORE INSERT ON ticket WHEN NEW.content LIKE"
                    f" '%{REJECT_MARK}%' BEGIN SELECT RAISE(ABORT, 'rejected by the test trigger'); END"
                )
            )
        else:
            await connection.execute(
                text(
                    "CREATE FUNCTION reject_marked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF"
                    f" NEW.content LIKE '%{REJECT_MARK}%' THEN RAISE EXCEPTION 'rejected by the test"
                    " trigger'; END IF; RETURN NEW; END $$"
                )
            )
            await connection.execute(
                text(
                    "CREATE TRIGGER reject_marked BEFORE INSERT ON ticket FOR EACH ROW EXECUTE FUNCTION"
                    " reject_marked()"
                )
            )


async def drop_reject_trigger(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("DROP TRIGGER IF EXISTS reject_marked" +
                                      ("" if engine.dialect.name == "sqlite" else " ON ticket")))
        if engine.dialect.name != "sqlite":
            await connection.execute(text("DROP FUNCTION IF EXISTS reject_marked()"))


async def test_a_database_failure_in_a_batch_falls_back_to_one_by_one(
        engine: AsyncEngine, sessions: SessionFactory, rules: Rules) -> None:
    await install_reject_trigger(engine)
    try:
        batcher = IntakeBatcher(sessions, rules, limits=IntakeLimits(max_wait=0.1))
        batcher.start()
        drafts = [
            draft(0),
            draft(1),
            draft(2, content=f"{REJECT_MARK}：这条会被数据库拒绝。"),
            draft(3),
            draft(4),
        ]
        outcomes = await asyncio.gather(*(batcher.submit(actor=PORTAL, draft=d) for d in drafts),
                                        return_exceptions=True)
        await batcher.stop()
    finally:
        await drop_reject_trigger(engine)

    assert batcher.stats.batches == 1 and batcher.stats.fallbacks == 1
    assert isinstance(outcomes[2], DBAPIError)
    good = [o for i, o in enumerate(outcomes) if i != 2]
    assert all(isinstance(o, Ticket) for o in good)
    numbers = [o.number for o in good]  # type: ignore[union-attr]
    assert numbers == sorted(set(numbers))  # distinct, in the order the requests came
    async with sessions() as session:
        stored = {t.number: t for t in (await session.exec(select(Ticket))).all()}
        events = (await session.exec(select(func.count()).select_from(TicketEvent))).one()
        receipts = sorted((await session.exec(select(Outbox.recipient))).all())
        phones = set((await session.exec(select(Citizen.phone))).all())
    assert sorted(stored) == numbers and events == 4
    assert receipts == [f"138{i:08d}" for i in (0, 1, 3, 4)]
    # The refused row's citizen went with both rolled-back transactions.
    assert phones == {f"138{i:08d}" for i in (0, 1, 3, 4)}


async def test_stopping_writes_every_accepted_draft_then_refuses_new_ones(
        sessions: SessionFactory, rules: Rules) -> None:
    batcher = IntakeBatcher(sessions, rules, limits=IntakeLimits(max_batch=8, max_wait=0))
    batcher.start()
    requests = [asyncio.create_task(batcher.submit(actor=PORTAL, draft=draft(i))) for i in range(30)]
    await asyncio.sleep(0)  # every request is queued; the writer has taken at most its first batch
    assert batcher.waiting > 0
    await batcher.stop()

    assert all(r.done() and isinstance(r.result(), Ticket) for r in requests)
    assert batcher.stats.tickets == 30 and batcher.stats.batches >= 4
    async with sessions() as session:
        assert (await session.exec(select(func.count()).select_from(Ticket))).one() == 30
    with pytest.raises(ApiError) as refused:
        await batcher.submit(actor=PORTAL, draft=draft(99))
    assert (refused.value.http_status, refused.value.code, refused.value.message) == (
        503, "shutting_down", texts.ERR_INTAKE_CLOSING)


async def test_a_full_queue_refuses_at_once_and_the_queued_drafts_still_go_through(
        sessions: SessionFactory, rules: Rules) -> None:
    batcher = IntakeBatcher(sessions, rules, limits=IntakeLimits(max_queue=2))
    queued = [asyncio.create_task(batcher.submit(actor=PORTAL, draft=draft(i))) for i in range(2)]
    await asyncio.sleep(0)  # the writer is not started: both wait in the queue
    with pytest.raises(ApiError) as refused:
        await batcher.submit(actor=PORTAL, draft=draft(2))
    assert (refused.value.http_status, refused.value.message, refused.value.headers) == (
        503, texts.ERR_INTAKE_BUSY, {"Retry-After": "1"})
    batcher.start()
    done = await asyncio.gather(*queued)
    await batcher.stop()
    assert [t.place for t in done] == ["幸福小区0号楼", "幸福小区1号楼"]


async def test_overload_reaches_the_client_as_503_with_retry_after(
        aiohttp_client: AiohttpClient, make_app: Callable[..., web.Application], keys: Keys,
        sessions: SessionFactory) -> None:
    _app, api = await app_with(aiohttp_client, make_app, IntakeLimits(max_queue=0))
    status, reply = await api.post("/api/v1/tickets", key=keys.creator, body=body(0))
    assert (status, reply) == (503, {"error": {"code": "overloaded", "message": texts.ERR_INTAKE_BUSY}})
    response = await api.client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": keys.creator,
            "service_code": "property",
            "description": "电梯坏了",
            "address_string": "幸福小区",
        },
    )
    assert response.status == 503 and response.headers["Retry-After"] == "1"
    assert await response.json() == [{"code": 503, "description": texts.ERR_INTAKE_BUSY}]
    async with sessions() as session:
        assert (await session.exec(select(func.count()).select_from(Ticket))).one() == 0


async def test_the_apps_cleanup_stops_the_intake(aiohttp_client: AiohttpClient,
                                                 make_app: Callable[..., web.Application], keys: Keys,
                                                 org: Org) -> None:
    app, api = await app_with(aiohttp_client, make_app, IntakeLimits())
    status, _ = await api.post("/api/v1/tickets", key=keys.creator, body=body(0))
    assert status == 201
    batcher = app[INTAKE]
    await api.client.close()
    with pytest.raises(ApiError) as refused:
        await batcher.submit(actor=PORTAL, draft=draft(1))
    assert refused.value.code == "shutting_down" and batcher.stats.tickets == 1


async def test_a_cancelled_writer_leaves_no_request_waiting(sessions: SessionFactory, rules: Rules) -> None:
    batcher = IntakeBatcher(sessions, rules, limits=IntakeLimits(max_wait=0.5))
    batcher.start()
    waiting = [asyncio.create_task(batcher.submit(actor=PORTAL, draft=draft(i))) for i in range(3)]
    await asyncio.sleep(0.05)  # the writer holds them, waiting for its batch to fill
    assert batcher._task is not None
    batcher._task.cancel()
    outcomes = await asyncio.wait_for(asyncio.gather(*waiting, return_exceptions=True), timeout=5)
    assert [getattr(o, "code", None) for o in outcomes] == ["shutting_down"] * 3
    await batcher.stop()  # stopping after that is harmless


async def test_drafts_queued_before_the_writer_started_are_written_on_stop(sessions: SessionFactory,
                                                                           rules: Rules) -> None:
    batcher = IntakeBatcher(sessions, rules)
    queued = [asyncio.create_task(batcher.submit(actor=PORTAL, draft=draft(i))) for i in range(3)]
    await asyncio.sleep(0)
    await batcher.stop()
    assert [t.place for t in await asyncio.gather(*queued)] == [f"幸福小区{i}号楼" for i in range(3)]
