"""Batch intake (tickets.intake.create_tickets) against real databases: a batch gives what
the same drafts filed one by one give, bad drafts fail alone, and the statements a batch
costs do not grow with its size."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import intake, texts
from tickets.clock import ManualClock, local
from tickets.context import Actor, Rules
from tickets.db import SessionFactory
from tickets.enums import Action, Channel, OutboxChannel, RequestType, Role, TicketStatus
from tickets.errors import ValidationFailed
from tickets.intake import create_tickets
from tickets.models import Citizen, Outbox, Ticket, TicketCounter, TicketEvent
from tickets.schemas import TicketCreate

WEB = Actor(role=Role.SYSTEM, id=None, name="门户网站")


def draft(**overrides: Any) -> TicketCreate:
    values: dict[str, Any] = {
        "channel": Channel.WEB,
        "request_type": RequestType.COMPLAINT,
        "category": "物业管理",
        "content": "小区电梯坏了一周，物业一直不修，老人上下楼很困难。",
        "place": "幸福小区3号楼",
        "contact_name": "张三",
        "contact_phone": "13800138000",
    }
    values.update(overrides)
    return TicketCreate.model_validate(values)


def mixed_drafts() -> list[TicketCreate]:
    """Every case the batch must resolve as separate calls would, in one list."""
    return [
        # An existing citizen (filed a ticket before): repeat count from the stored ticket.
        draft(contact_phone="13900000001", contact_name="老王"),
        # A new citizen twice in the batch, same category: 0 then 1; other category: 0.
        draft(contact_phone="13700000002", contact_name="李四"),
        draft(contact_phone="137 0000 0002", content="电梯还是没修好。"),
        draft(contact_phone="13700000002", category="城市管理", content="楼下路灯不亮。"),
        # Known by phone, then gives a Telegram id: the citizen gains it, and the next
        # draft with only that Telegram id is the same citizen. Receipts go on Telegram, except
        # for a request filed in the bot, which the bot confirms in the conversation itself.
        draft(contact_phone="13600000003", contact_name="赵六"),
        draft(contact_phone="13600000003", citizen_telegram_id=555001, channel=Channel.WEB),
        draft(contact_phone=None, contact_name=None, citizen_telegram_id=555001, channel=Channel.BOT,
              content="补充：三号楼的电梯也坏了。"),
        # A refused draft keeps its place and consumes no number.
        draft(content="   "),
        # No contact at all: a ticket without a citizen and without a receipt.
        draft(contact_phone=None, contact_name=None, category=""),
        # From the upstream platform: the office's brief-contact term starts.
        draft(channel=Channel.UPSTREAM, external_number="SJ2026-0001", contact_phone="021-6123 4567"),
        # Empty category: never a repeat.
        draft(contact_phone="13900000001", category=""),
    ]


async def wipe(sessions: SessionFactory) -> None:
    async with sessions() as session, session.begin():
        for table in (Outbox, TicketEvent, Ticket, Citizen, TicketCounter):
            await session.exec(delete(table))  # type: ignore[call-overload]


async def seed_earlier_ticket(sessions: SessionFactory, rules: Rules) -> None:
    async with sessions() as session, session.begin():
        await intake.create_ticket(session, rules=rules, actor=WEB,
                                data=draft(contact_phone="13900000001", contact_name="老王"))


async def snapshot(session: AsyncSession) -> dict[str, Any]:
    """Everything intake writes, with database ids replaced by what they point to."""
    citizens = list((await session.exec(select(Citizen).order_by(col(Citizen.id)))).all())
    who = {c.id: (c.name, c.phone, c.telegram_user_id) for c in citizens}
    tickets = list((await session.exec(select(Ticket).order_by(col(Ticket.number)))).all())
    number_of = {t.id: t.number for t in tickets}
    events = list((await session.exec(select(TicketEvent).order_by(col(TicketEvent.id)))).all())
    event_ref = {e.id: f"event-of-{number_of[e.ticket_id]}" for e in events}
    outbox = list((await session.exec(select(Outbox).order_by(col(Outbox.id)))).all())

    def ticket_row(t: Ticket) -> dict[str, Any]:
        row = t.model_dump(exclude={"id", "citizen_id"})
        row["citizen"] = who.get(t.citizen_id)
        return row

    def outbox_row(o: Outbox) -> dict[str, Any]:
        number, event_id, rest = o.dedupe_key.split(":", 2)
        row = o.model_dump(exclude={"id"})
        row["dedupe_key"] = f"{number}:{event_ref[int(event_id)]}:{rest}"
        return row

    return {
        "citizens": sorted(who.values(), key=str),
        "tickets": [ticket_row(t) for t in tickets],
        "events": [
            e.model_dump(exclude={"id", "ticket_id"}) | {"ticket": number_of[e.ticket_id]} for e in events
        ],
        "outbox": sorted((outbox_row(o) for o in outbox), key=lambda r: r["dedupe_key"]),
    }


async def test_a_batch_gives_what_the_same_drafts_filed_one_by_one_give(
    sessions: SessionFactory, rules: Rules, clock: ManualClock
) -> None:
    drafts = mixed_drafts()

    await seed_earlier_ticket(sessions, rules)
    one_by_one: list[Any] = []
    for data in drafts:
        try:
            async with sessions() as session, session.begin():
                one_by_one.append(
                    (await intake.create_ticket(session, rules=rules, actor=WEB, data=data)).number
                )
        except ValidationFailed as error:
            one_by_one.append(error.message)
    async with sessions() as session:
        expected = await snapshot(session)

    await wipe(sessions)
    await seed_earlier_ticket(sessions, rules)
    async with sessions() as session, session.begin():
        outcomes = await create_tickets(session, rules=rules, actor=WEB, drafts=drafts)
    batched = [o.message if isinstance(o, ValidationFailed) else o.number for o in outcomes]  # type: ignore[union-attr]
    async with sessions() as session:
        actual = await snapshot(session)

    assert batched == one_by_one
    assert actual == expected
    # And what that is, spelled out: numbers in order, the refused draft in its place.
    day = local(clock.now()).strftime("%Y%m%d")
    assert batched == [f"{day}{n:05d}" for n in range(2, 9)] + [texts.ERR_CONTENT_EMPTY] + [
        f"{day}{n:05d}" for n in range(9, 12)]
    tickets = {t["number"]: t for t in actual["tickets"]}
    assert [tickets[n]["repeat_count"] for n in batched if n in tickets] == [1, 0, 1, 0, 0, 1, 2, 0, 0, 0]
    assert tickets[batched[6]]["citizen"] == ("赵六", "13600000003", 555001)
    assert tickets[batched[9]]["brief_contact_due_at"] is not None
    # 老王, 李四, 赵六 and the landline caller: no new citizen for the Telegram-only draft.
    assert len(actual["citizens"]) == 4
    receipts = {(r["payload"]["number"], r["channel"], r["recipient"]) for r in actual["outbox"]}
    assert (batched[4], OutboxChannel.SMS, "13600000003") in receipts
    assert (batched[5], OutboxChannel.TELEGRAM, "555001") in receipts
    assert not any(r[0] == batched[6] for r in receipts)  # filed in the bot: confirmed there
    assert not any(r[0] == batched[8] for r in receipts)  # no contact, no receipt
    assert all(e["action"] is Action.RECEIVE and e["actor_name"] == "门户网站" for e in actual["events"])


async def test_refused_drafts_fail_alone_with_their_own_chinese_error(session: AsyncSession, rules: Rules,
                                                                       clock: ManualClock) -> None:
    drafts = [
        draft(),
        draft(content="吵" * 5001),
        draft(contact_phone="12345"),
        draft(place="地" * 201),
        draft(),
    ]
    outcomes = await create_tickets(session, rules=rules, actor=WEB, drafts=drafts)
    await session.commit()

    errors = [o.message if isinstance(o, ValidationFailed) else None for o in outcomes]
    assert errors == [
        None,
        "诉求内容共 5001 字，超过 5000 字的上限，请精简后再提交。",
        "电话号码“12345”格式不正确，请填写11位手机号或带区号的固定电话。",
        "“地点”超过 200 字的上限。",
        None,
    ]
    day = local(clock.now()).strftime("%Y%m%d")
    numbers = [o.number for o in outcomes if isinstance(o, Ticket)]
    assert numbers == [f"{day}00001", f"{day}00002"]
    stored = list((await session.exec(select(Ticket.number).order_by(col(Ticket.number)))).all())
    assert stored == numbers
    # The next ticket continues the sequence: refused drafts took no number.
    single = await intake.create_ticket(session, rules=rules, actor=WEB, data=draft())
    assert single.number == f"{day}00003"


async def test_tickets_of_a_batch_are_ordinary_tickets_of_the_session(
    session: AsyncSession, rules: Rules
) -> None:
    """Callers go on working with what they get back (dispatch, upstream acknowledgements)."""
    (ticket,) = await create_tickets(session, rules=rules, actor=WEB, drafts=[draft()])
    assert isinstance(ticket, Ticket)
    assert ticket in session and ticket.id is not None
    assert ticket.status is TicketStatus.RECEIVED and ticket.received_at == rules.now()
    ticket.place = "幸福小区4号楼"
    await session.commit()
    stored = (await session.exec(select(Ticket).where(Ticket.id == ticket.id))).one()
    assert stored.place == "幸福小区4号楼"


@pytest.mark.parametrize("size", [2, 60])
async def test_a_batch_costs_the_same_statements_whatever_its_size(
    engine: AsyncEngine, sessions: SessionFactory, rules: Rules, size: int
) -> None:
    # Half the citizens known already, half new: every statement of the batch runs.
    async with sessions() as session, session.begin():
        await create_tickets(session, rules=rules, actor=WEB,
                             drafts=[draft(contact_phone=f"139{i:08d}") for i in range(0, size, 2)])
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.split()
        table = (
            words[2] if words[0] == "INSERT" else words[words.index("FROM") + 1] if "FROM" in words else ""
        )
        statements.append(f"{words[0]} {table}")

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with sessions() as session, session.begin():
            outcomes = await create_tickets(session, rules=rules, actor=WEB,
                                            drafts=[draft(contact_phone=f"139{i:08d}") for i in range(size)])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert all(isinstance(o, Ticket) for o in outcomes)
    assert statements == [
        "SELECT citizen", "INSERT citizen", "INSERT ticketcounter", "SELECT ticket",
        # The office's 新工单 card goes out for every channel's ticket: one read of the office staff.
        "INSERT ticket", "INSERT ticketevent", "SELECT staff", "INSERT outbox",
    ]
    async with sessions() as session:
        repeats = list((await session.exec(
            select(Ticket.repeat_count).order_by(col(Ticket.number)).offset(len(range(0, size, 2))))).all())
    assert repeats == [1 if i % 2 == 0 else 0 for i in range(size)]
