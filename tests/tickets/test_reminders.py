"""Deadline reminders over a simulated week: exactly which reminder goes out when, one
digest per handler, nothing twice, nothing at night except urgent tickets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.ledger import TableReminderLedger
from tests.conftest import Org
from tests.scheduler.support import dispatched_ticket
from tickets import queries
from tickets import service as svc
from tickets.clock import ManualClock, local, shanghai
from tickets.context import Rules
from tickets.enums import Urgency
from tickets.models import Outbox
from tickets.reminders import digest_text, send_deadline_reminders

TICK = timedelta(minutes=15)


def fmt(value: datetime) -> str:
    return local(value).strftime("%a %d %H:%M")


async def test_a_simulated_week_of_reminders(session: AsyncSession, rules: Rules, clock: ManualClock,
                                             org: Org) -> None:
    numbers: dict[str, str] = {}

    async def create(name: str, unit: int, urgency: Urgency) -> None:
        numbers[name] = await dispatched_ticket(session, rules=rules, clock=clock, org=org, at=clock.now(),
                                                unit_index=unit, urgency=urgency,
                                                content=f"{name}：路面塌陷，车辆无法通行，联系人手机13700001111。")

    async def contact_t3() -> None:
        await svc.first_contact(
            session, rules=rules, actor=org.handler(1), number=numbers["T3"], reached=True
        )
        await session.commit()

    async def accept_t2() -> None:
        await svc.accept(session, rules=rules, actor=org.handler(0), number=numbers["T2"])
        await session.commit()

    events: list[tuple[datetime, Callable[[], Awaitable[None]]]] = [
        (shanghai(2026, 11, 23, 10, 0), lambda: create("T1", 0, Urgency.GENERAL)),
        (shanghai(2026, 11, 23, 10, 0), lambda: create("T5", 0, Urgency.GENERAL)),
        (shanghai(2026, 11, 23, 22, 0), lambda: create("T2", 0, Urgency.URGENT)),  # off-hours urgent
        (shanghai(2026, 11, 24, 3, 0), accept_t2),
        (shanghai(2026, 11, 24, 14, 0), lambda: create("T3", 1, Urgency.GENERAL)),
        (shanghai(2026, 11, 24, 15, 0), contact_t3),
        (shanghai(2026, 11, 25, 17, 30), lambda: create("T4", 2, Urgency.SEMI_URGENT)),
    ]
    ledger = TableReminderLedger()
    at = shanghai(2026, 11, 23, 9, 0)
    end = shanghai(2026, 11, 30, 12, 0)
    sent: list[tuple[str, str, str]] = []
    while at <= end:
        while events and events[0][0] <= at:
            clock.set(events[0][0])
            await events.pop(0)[1]()
        clock.set(at)
        result = await send_deadline_reminders(session, rules=rules, at=at, ledger=ledger)
        await session.commit()
        if result.sent:
            # A second sweep at the same moment (a retry, a second instance) sends nothing.
            again = await send_deadline_reminders(session, rules=rules, at=at, ledger=ledger)
            await session.commit()
            assert again.sent == 0 and again.digests == 0
        at += TICK

    rows = (await session.exec(select(Outbox).order_by(col(Outbox.id)))).all()
    digests = [row for row in rows if row.payload.get("kind") == "deadline_reminders"]
    for row in digests:
        if row.recipient != "1001":
            continue
        for item in row.payload["items"]:
            sent.append((fmt(row.created_at), item["kind"], item["number"]))
    name_of = {number: name for name, number in numbers.items()}
    unit0 = sorted((when, kind, name_of[number]) for when, kind, number in sent)
    assert unit0 == sorted([
        ("Tue 24 01:00", "urgent_feedback_due", "T2"),  # at night: urgent only
        ("Tue 24 02:00", "urgent_feedback_overdue", "T2"),
        ("Tue 24 09:00", "first_contact_due", "T1"),  # due 10:00, held back until working hours
        ("Tue 24 09:00", "first_contact_due", "T5"),
        ("Tue 24 14:00", "first_contact_due", "T2"),
        ("Tue 24 18:00", "overdue", "T2"),
        ("Fri 27 10:00", "completion_due", "T1"),
        ("Fri 27 10:00", "completion_due", "T5"),
        ("Mon 30 10:00", "overdue", "T1"),
        ("Mon 30 10:00", "overdue", "T5"),
    ])
    unit2 = sorted((fmt(row.created_at), item["kind"], name_of[item["number"]]) for row in digests
                   if row.recipient == "1021" for item in row.payload["items"])
    assert unit2 == [("Fri 27 17:30", "completion_due", "T4"), ("Thu 26 13:30", "first_contact_due", "T4")]
    assert not any(row.recipient == "1011" for row in digests), "T3 was contacted in time: no reminder"

    # Never the same reminder twice, for any recipient.
    per_recipient = [(row.recipient, item["kind"], item["number"], item["deadline"])
                     for row in digests for item in row.payload["items"]]
    assert len(per_recipient) == len(set(per_recipient))
    # Nothing but urgent tickets outside working hours.
    for row in digests:
        if not rules.calendar.in_working_hours(row.created_at):
            assert row.payload["urgent"], row.payload
    # One digest per handler per sweep: both handlers of unit 0 got the 09:00 digest with T1 and T5.
    nine = [row for row in digests if fmt(row.created_at) == "Tue 24 09:00"]
    assert sorted((row.channel.value, row.recipient) for row in nine) == [("sms", "13800000002"),
                                                                           ("telegram", "1001")]
    assert nine[0].payload["text"] == (
        "【工单提醒】区住建局，以下工单请及时处理：\n先行联系即将到期，请尽快联系诉求人：\n"
        f"· {numbers['T1']}（时限 2026-11-24 10:00）T1：路面塌陷，车辆无法通行，联系人手机137****11…\n"
        f"· {numbers['T5']}（时限 2026-11-24 10:00）T5：路面塌陷，车辆无法通行，联系人手机137****11…"
    )


async def test_extension_gives_a_new_overdue_reminder(session: AsyncSession, rules: Rules, clock: ManualClock,
                                                      org: Org) -> None:
    number = await dispatched_ticket(
        session, rules=rules, clock=clock, org=org, at=shanghai(2026, 11, 23, 10, 0)
    )
    clock.set(shanghai(2026, 11, 23, 11, 0))
    await svc.accept(session, rules=rules, actor=org.handler(0), number=number)
    await svc.request_extension(session, rules=rules, actor=org.handler(0), number=number, days=2,
                                reason="需协调多个部门")
    await svc.decide_extension(session, rules=rules, actor=org.office, number=number, approve=True)
    await session.commit()
    ledger = TableReminderLedger()
    first = await send_deadline_reminders(
        session, rules=rules, at=shanghai(2026, 12, 2, 10, 0), ledger=ledger
    )
    await session.commit()
    assert first.by_kind == {"overdue": 1}
    # A new deadline (as after rework) makes being overdue again a new reminder.
    ticket = await queries.get_ticket(session, number=number)
    ticket.due_at = shanghai(2026, 12, 2, 11, 0)
    await session.commit()
    second = await send_deadline_reminders(
        session, rules=rules, at=shanghai(2026, 12, 2, 11, 0), ledger=ledger
    )
    third = await send_deadline_reminders(
        session, rules=rules, at=shanghai(2026, 12, 2, 11, 15), ledger=ledger
    )
    await session.commit()
    assert second.by_kind == {"overdue": 1} and third.sent == 0


def test_digest_is_cut_with_a_count_of_the_rest() -> None:
    from tickets.reminders import Reminder, ReminderKind

    items = [Reminder(kind=ReminderKind.OVERDUE, ticket_id=i, number=f"N{i:03d}", unit_id=1, urgent=False,
                      deadline=shanghai(2026, 11, 23, 10, 0), summary="摘要") for i in range(5)]
    text = digest_text(unit="区住建局", reminders=items, hours=4, max_lines=3)
    assert text.splitlines() == [
        "【工单提醒】区住建局，以下工单请及时处理：", "已超过办结时限：",
        "· N000（时限 2026-11-23 10:00）摘要", "· N001（时限 2026-11-23 10:00）摘要",
        "· N002（时限 2026-11-23 10:00）摘要", "· 另有 2 件，请登录平台查看。",
    ]


async def test_the_ledger_forgets_reminders_older_than_its_retention(
    session: AsyncSession, rules: Rules
) -> None:
    from scheduler.models import ReminderSent

    session.add(
        ReminderSent(key="overdue:1:1", ticket_id=1, kind="overdue", sent_at=shanghai(2026, 8, 1, 10, 0))
    )
    session.add(
        ReminderSent(key="overdue:2:1", ticket_id=2, kind="overdue", sent_at=shanghai(2026, 11, 1, 10, 0))
    )
    await session.commit()
    await TableReminderLedger().claim(session, reminders=[], now=shanghai(2026, 11, 23, 10, 0))
    await session.commit()
    assert [row.key for row in (await session.exec(select(ReminderSent))).all()] == ["overdue:2:1"]
