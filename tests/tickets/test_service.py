"""Service functions against real databases (SQLite file and PostgreSQL): state, audit
trail and outbox written together, errors leave nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.conftest import Org
from tickets import intake, queries
from tickets import service as svc
from tickets.clock import ManualClock, local, shanghai
from tickets.context import Actor, Rules
from tickets.db import SessionFactory
from tickets.enums import (
    Action,
    Channel,
    OutboxChannel,
    RequestType,
    ResultCategory,
    Role,
    Satisfaction,
    TicketStatus,
    Urgency,
)
from tickets.errors import Forbidden, IllegalTransition, NotFound, ValidationFailed, WindowClosed
from tickets.models import DutyLogin, Outbox, Ticket, TicketCoUnit, TicketEvent
from tickets.queries import open_longer_than, overdue_tickets, ticket_events
from tickets.schemas import CallbackAnswers, ReplyData, TicketCreate

CITIZEN_TG = 777001


def draft(**overrides: object) -> TicketCreate:
    values: dict[str, object] = {
        "channel": Channel.WEB,
        "request_type": RequestType.COMPLAINT,
        "category": "物业管理",
        "content": "小区电梯坏了一周，物业一直不修，老人上下楼很困难。",
        "place": "幸福小区3号楼",
        "contact_name": "张三",
        "contact_phone": "138 0013 8000",
        "citizen_telegram_id": CITIZEN_TG,
    }
    values.update(overrides)
    return TicketCreate.model_validate(values)


def full_reply(**overrides: object) -> ReplyData:
    values: dict[str, object] = {
        "result": ResultCategory.SOLVED,
        "text": "经现场核实，电梯控制板损坏，已督促物业更换，电梯于今日恢复运行。",
        "contact_person": "联络员0A",
        "facts": "电梯控制板损坏",
        "judgement": "诉求合理，已解决",
        "citizen_opinion": "市民表示认可",
        "answered_by": "联络员0A",
        "answered_at": shanghai(2026, 11, 24, 15, 0),
    }
    values.update(overrides)
    return ReplyData.model_validate(values)


async def outbox_rows(session: AsyncSession) -> list[Outbox]:
    return list((await session.exec(select(Outbox).order_by(col(Outbox.id)))).all())


async def new_dispatched(session: AsyncSession, rules: Rules, org: Org, **overrides: object) -> Ticket:
    ticket = await intake.create_ticket(
        session, rules=rules, actor=Actor.system("bot"), data=draft(**overrides)
    )
    await svc.dispatch(session, rules=rules, actor=org.actor_office(), number=ticket.number,
                       unit_id=org.unit_ids[0])  # type: ignore[arg-type]
    await session.commit()
    return ticket


async def test_full_life_of_a_ticket_with_audit_trail_and_outbox(
    session: AsyncSession, rules: Rules, org: Org, clock: ManualClock
) -> None:
    ticket = await intake.create_ticket(session, rules=rules, actor=Actor.system("bot"), data=draft())
    await session.commit()
    assert ticket.number == "2026112300001"
    assert ticket.status is TicketStatus.RECEIVED
    assert ticket.contact_phone == "13800138000"

    await svc.dispatch(session, rules=rules, actor=org.actor_office(), number=ticket.number,
                       unit_id=org.unit_ids[0], co_unit_ids=[org.unit_ids[1]])  # type: ignore[list-item,arg-type]
    await session.commit()
    assert ticket.status is TicketStatus.DISPATCHED
    # Dispatched Monday 10:00: first contact by Tuesday 10:00, completion in 5 working days.
    assert local(ticket.first_contact_due_at).strftime("%m-%d %H:%M") == "11-24 10:00"  # type: ignore[arg-type]
    assert local(ticket.due_at).strftime("%m-%d %H:%M") == "11-30 10:00"  # type: ignore[arg-type]

    handler = org.handler(0)
    clock.advance(timedelta(minutes=30))
    await svc.accept(session, rules=rules, actor=handler, number=ticket.number)
    await svc.first_contact(session, rules=rules, actor=handler, number=ticket.number, reached=True,
                            note="已电话联系市民")
    await svc.reply(session, rules=rules, actor=handler, number=ticket.number, data=full_reply())
    await session.commit()
    assert ticket.status is TicketStatus.REPLIED

    await svc.record_callback(session, rules=rules, actor=org.actor_office(), number=ticket.number,
                              answers=CallbackAnswers(contacted=True, answered=True, solved=True,
                                                      satisfaction=Satisfaction.SATISFIED))
    await session.commit()
    assert ticket.status is TicketStatus.CLOSED
    assert ticket.cb_satisfaction is Satisfaction.SATISFIED

    events = await ticket_events(session, ticket_id=ticket.id)  # type: ignore[arg-type]
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        (Action.RECEIVE, TicketStatus.RECEIVED, TicketStatus.RECEIVED),
        (Action.DISPATCH, TicketStatus.RECEIVED, TicketStatus.DISPATCHED),
        (Action.ACCEPT, TicketStatus.DISPATCHED, TicketStatus.ACCEPTED),
        (Action.FIRST_CONTACT, TicketStatus.ACCEPTED, TicketStatus.ACCEPTED),
        (Action.REPLY, TicketStatus.ACCEPTED, TicketStatus.REPLIED),
        (Action.CLOSE, TicketStatus.REPLIED, TicketStatus.CLOSED),
    ]
    assert events[2].actor_role is Role.HANDLER and events[2].actor_name == "联络员0A"

    rows = await outbox_rows(session)
    kinds = [(r.payload["kind"], r.channel, r.recipient) for r in rows]
    assert ("ticket_received", OutboxChannel.TELEGRAM, str(CITIZEN_TG)) in kinds
    # Both handlers of the main unit and of the co-unit: A on Telegram, B (not bound) by SMS.
    assert ("ticket_dispatched", OutboxChannel.TELEGRAM, "1001") in kinds
    assert ("ticket_dispatched", OutboxChannel.SMS, "13800000002") in kinds
    assert ("ticket_dispatched", OutboxChannel.TELEGRAM, "1011") in kinds
    assert ("ticket_replied", OutboxChannel.TELEGRAM, "9001") in kinds
    assert ("ticket_closed", OutboxChannel.TELEGRAM, str(CITIZEN_TG)) in kinds
    assert len({r.dedupe_key for r in rows}) == len(rows)
    dispatched = next(r for r in rows if r.payload["kind"] == "ticket_dispatched" and r.recipient == "1001")
    assert "【新工单】2026112300001（一般·物业管理）" in dispatched.payload["text"]
    assert "13800138000" not in dispatched.payload["text"]

    # The handler's actions counted as the unit's duty login today.
    logins = (await session.exec(select(DutyLogin))).all()
    assert [(d.unit_id, str(d.work_date)) for d in logins] == [(org.unit_ids[0], "2026-11-23")]
    co = (await session.exec(select(TicketCoUnit))).all()
    assert [c.unit_id for c in co] == [org.unit_ids[1]]


async def test_a_request_filed_in_the_bot_gets_no_second_receipt(session: AsyncSession, rules: Rules,
                                                                 org: Org) -> None:
    ticket = await intake.create_ticket(
        session, rules=rules, actor=Actor.system("bot"), data=draft(channel=Channel.BOT)
    )
    await session.commit()
    assert ticket.status is TicketStatus.RECEIVED
    # Only the office's 新工单 card, as for every channel; the citizen has the bot's own answer.
    assert [r.payload["kind"] for r in await outbox_rows(session)] == ["ticket_new"]


async def test_numbers_are_sequential_per_shanghai_day(
    session: AsyncSession, rules: Rules, clock: ManualClock, org: Org
) -> None:
    first = await intake.create_ticket(session, rules=rules, actor=Actor.system("bot"), data=draft())
    second = await intake.create_ticket(session, rules=rules, actor=Actor.system("bot"), data=draft())
    clock.set(shanghai(2026, 11, 24, 0, 5))  # 16:05 UTC of the 23rd, already the 24th in Shanghai
    third = await intake.create_ticket(session, rules=rules, actor=Actor.system("bot"), data=draft())
    assert [first.number, second.number, third.number] == ["2026112300001", "2026112300002", "2026112400001"]
    assert third.repeat_count == 2


async def test_handler_cannot_touch_another_units_ticket(
    session: AsyncSession, rules: Rules, org: Org
) -> None:
    number = (await new_dispatched(session, rules, org)).number
    with pytest.raises(Forbidden, match="不属于您所在的单位"):
        await svc.accept(session, rules=rules, actor=org.handler(1), number=number)
    await session.rollback()
    with pytest.raises(Forbidden, match="没有权限"):
        await svc.supervise(session, rules=rules, actor=org.handler(0), number=number, note="自己督办自己")
    await session.rollback()
    fresh = await queries.get_ticket(session, number=number)
    assert fresh.status is TicketStatus.DISPATCHED
    events = await ticket_events(session, ticket_id=fresh.id)  # type: ignore[arg-type]
    assert [e.action for e in events] == [Action.RECEIVE, Action.DISPATCH]


async def test_citizen_may_answer_only_own_callback(session: AsyncSession, rules: Rules, org: Org) -> None:
    ticket = await new_dispatched(session, rules, org)
    h = org.handler(0)
    await svc.first_contact(session, rules=rules, actor=h, number=ticket.number, reached=True)
    await svc.reply(session, rules=rules, actor=h, number=ticket.number, data=full_reply())
    await session.commit()
    number, citizen_id = ticket.number, ticket.citizen_id
    stranger = Actor(role=Role.CITIZEN, id=99999)
    answers = CallbackAnswers(contacted=True, answered=True, solved=True, satisfaction=Satisfaction.SATISFIED)
    with pytest.raises(Forbidden):
        await svc.record_callback(session, rules=rules, actor=stranger, number=number, answers=answers)
    await session.rollback()
    owner = Actor(role=Role.CITIZEN, id=citizen_id)
    done = await svc.record_callback(session, rules=rules, actor=owner, number=number, answers=answers)
    assert done.status is TicketStatus.CLOSED


async def test_unsatisfied_callback_sends_back_for_rework_with_new_term(
    session: AsyncSession, rules: Rules, org: Org, clock: ManualClock
) -> None:
    ticket = await new_dispatched(session, rules, org)
    h = org.handler(0)
    await svc.first_contact(session, rules=rules, actor=h, number=ticket.number, reached=True)
    await svc.reply(session, rules=rules, actor=h, number=ticket.number, data=full_reply())
    clock.set(shanghai(2026, 11, 26, 10, 0))
    await svc.record_callback(session, rules=rules, actor=org.actor_office(), number=ticket.number,
                              answers=CallbackAnswers(contacted=True, answered=True, solved=False,
                                                      satisfaction=Satisfaction.UNSATISFIED))
    await session.commit()
    assert ticket.status is TicketStatus.ACCEPTED
    assert ticket.rework_count == 1 and ticket.result is None
    assert local(ticket.due_at).strftime("%m-%d %H:%M") == "12-03 10:00"  # type: ignore[arg-type]
    rows = await outbox_rows(session)
    assert any(r.payload["kind"] == "rework" and r.recipient == "1001" for r in rows)


async def test_unreached_callback_keeps_the_ticket_waiting(
    session: AsyncSession, rules: Rules, org: Org
) -> None:
    ticket = await new_dispatched(session, rules, org)
    h = org.handler(0)
    await svc.first_contact(session, rules=rules, actor=h, number=ticket.number, reached=True)
    await svc.reply(session, rules=rules, actor=h, number=ticket.number, data=full_reply())
    await svc.record_callback(session, rules=rules, actor=org.actor_office(), number=ticket.number,
                              answers=CallbackAnswers(reached=False))
    assert ticket.status is TicketStatus.REPLIED and ticket.callback_reached is False
    with pytest.raises(ValidationFailed, match="是否解决、满意度"):
        await svc.record_callback(session, rules=rules, actor=org.actor_office(), number=ticket.number,
                                  answers=CallbackAnswers(contacted=True, answered=True))


async def test_return_within_window_then_approved_and_redispatched(
    session: AsyncSession, rules: Rules, org: Org, clock: ManualClock
) -> None:
    ticket = await new_dispatched(session, rules, org)
    h = org.handler(0)
    with pytest.raises(ValidationFailed, match="请填写建议承办单位"):
        await svc.request_return(session, rules=rules, actor=h, number=ticket.number, reason="非本单位职责",
                                 suggested_unit="")
    clock.advance(timedelta(hours=5))
    await svc.request_return(
        session,
        rules=rules,
        actor=h,
        number=ticket.number,
        reason="供电线路问题，非住建职责",
        suggested_unit="供电分公司",
    )
    assert ticket.status is TicketStatus.RETURN_REQUESTED
    with pytest.raises(ValidationFailed, match="不能与原单位相同"):
        await svc.decide_return(
            session,
            rules=rules,
            actor=org.actor_office(),
            number=ticket.number,
            approve=True,
            new_unit_id=org.unit_ids[0],
        )
    await svc.decide_return(
        session,
        rules=rules,
        actor=org.actor_office(),
        number=ticket.number,
        approve=True,
        new_unit_id=org.unit_ids[2],
    )
    await session.commit()
    assert ticket.status is TicketStatus.DISPATCHED and ticket.main_unit_id == org.unit_ids[2]
    # The new unit's terms start now (Monday 15:00).
    assert local(ticket.due_at).strftime("%m-%d %H:%M") == "11-30 15:00"  # type: ignore[arg-type]
    rows = await outbox_rows(session)
    assert any(r.payload["kind"] == "return_requested" and r.recipient == "9001" for r in rows)
    assert any(r.payload["kind"] == "return_approved" and r.recipient == "1001" for r in rows)
    assert any(r.payload["kind"] == "ticket_dispatched" and r.recipient == "1021" for r in rows)


async def test_return_after_window_is_refused_first_execute_then_appeal(
    session: AsyncSession, rules: Rules, org: Org, clock: ManualClock
) -> None:
    ticket = await new_dispatched(session, rules, org)
    clock.set(shanghai(2026, 11, 24, 10, 1))  # one working day and a minute later
    with pytest.raises(WindowClosed, match="先执行、后申诉"):
        await svc.request_return(session, rules=rules, actor=org.handler(0), number=ticket.number,
                                 reason="不是我们的事", suggested_unit="供电分公司")


async def test_refused_return_puts_the_ticket_back_to_work(
    session: AsyncSession, rules: Rules, org: Org
) -> None:
    ticket = await new_dispatched(session, rules, org)
    await svc.request_return(
        session,
        rules=rules,
        actor=org.handler(0),
        number=ticket.number,
        reason="非本单位职责",
        suggested_unit="柳林洲街道",
    )
    with pytest.raises(ValidationFailed):
        await svc.decide_return(
            session, rules=rules, actor=org.actor_office(), number=ticket.number, approve=False
        )
    await svc.decide_return(
        session,
        rules=rules,
        actor=org.actor_office(),
        number=ticket.number,
        approve=False,
        note="属于住建局物业监管职责",
    )
    assert ticket.status is TicketStatus.ACCEPTED and ticket.main_unit_id == org.unit_ids[0]


async def test_extension_approved_moves_the_deadline_by_working_days(
    session: AsyncSession, rules: Rules, org: Org
) -> None:
    ticket = await new_dispatched(session, rules, org)
    h = org.handler(0)
    await svc.accept(session, rules=rules, actor=h, number=ticket.number)
    with pytest.raises(ValidationFailed, match="1 到 30"):
        await svc.request_extension(
            session, rules=rules, actor=h, number=ticket.number, days=0, reason="复杂"
        )
    await svc.request_extension(session, rules=rules, actor=h, number=ticket.number, days=3,
                                reason="需协调多个部门现场会商")
    await svc.decide_extension(
        session, rules=rules, actor=org.actor_office(), number=ticket.number, approve=True
    )
    assert ticket.status is TicketStatus.ACCEPTED and ticket.extended_days == 3
    assert local(ticket.due_at).strftime("%m-%d %H:%M") == "12-03 10:00"  # type: ignore[arg-type]


async def test_reply_needs_contact_and_every_element(session: AsyncSession, rules: Rules, org: Org,
                                                     clock: ManualClock) -> None:
    ticket = await new_dispatched(session, rules, org)
    h = org.handler(0)
    await svc.accept(session, rules=rules, actor=h, number=ticket.number)
    with pytest.raises(ValidationFailed, match="尚未记录先行联系"):
        await svc.reply(session, rules=rules, actor=h, number=ticket.number, data=full_reply())
    # Three unanswered calls an hour apart count as "unreachable"; a call 10 minutes later does not count.
    for minutes in (0, 10, 70, 140):
        clock.set(shanghai(2026, 11, 23, 11, 0) + timedelta(minutes=minutes))
        await svc.first_contact(session, rules=rules, actor=h, number=ticket.number, reached=False)
    assert ticket.first_contact_attempts == 3
    with pytest.raises(ValidationFailed) as info:
        await svc.reply(session, rules=rules, actor=h, number=ticket.number,
                        data=full_reply(facts="", judgement="", text="已处理"))
    assert info.value.message == "办结回复缺少必要内容：核实的事实、处理意见、回复正文（至少 15 字）。"
    await svc.reply(session, rules=rules, actor=h, number=ticket.number, data=full_reply())
    assert ticket.reply_details["unreachable"] is True


async def test_bad_input_is_refused_and_nothing_is_written(
    session: AsyncSession, rules: Rules, org: Org
) -> None:
    with pytest.raises(ValidationFailed, match="10000 字，超过 5000 字"):
        await intake.create_ticket(
            session, rules=rules, actor=Actor.system("web"), data=draft(content="吵" * 10000)
        )
    with pytest.raises(ValidationFailed, match="电话号码“12345”格式不正确"):
        await intake.create_ticket(
            session, rules=rules, actor=Actor.system("web"), data=draft(contact_phone="12345")
        )
    with pytest.raises(ValidationFailed, match="不能为空"):
        await intake.create_ticket(session, rules=rules, actor=Actor.system("web"), data=draft(content="   "))
    await session.rollback()
    assert (await session.exec(select(func.count()).select_from(Ticket))).one() == 0
    assert (await session.exec(select(func.count()).select_from(Outbox))).one() == 0

    ticket = await intake.create_ticket(session, rules=rules, actor=Actor.system("web"), data=draft())
    await session.commit()
    number = ticket.number
    with pytest.raises(NotFound, match="未找到承办单位"):
        await svc.dispatch(session, rules=rules, actor=org.actor_office(), number=number, unit_id=424242)
    await session.rollback()
    with pytest.raises(NotFound, match="未找到工单 2099"):
        await svc.accept(session, rules=rules, actor=org.handler(0), number="2099")
    # Not yet dispatched, so no unit's: a handler learns that, not its state (ownership first).
    with pytest.raises(Forbidden, match="不属于您所在的单位"):
        await svc.accept(session, rules=rules, actor=org.handler(0), number=number)
    with pytest.raises(IllegalTransition, match="当前状态为“已受理”，不能进行“接单”"):
        await svc.accept(session, rules=rules, actor=org.actor_office(), number=number)
    await session.rollback()
    fresh = await queries.get_ticket(session, number=number)
    assert fresh.status is TicketStatus.RECEIVED and fresh.main_unit_id is None
    assert (await session.exec(select(func.count()).select_from(TicketEvent))).one() == 1


async def test_upstream_ticket_reports_back_through_the_outbox(session: AsyncSession, rules: Rules,
                                                               org: Org) -> None:
    ticket = await new_dispatched(
        session, rules, org, channel=Channel.UPSTREAM, external_number="SH-2026-001"
    )
    assert ticket.brief_contact_due_at is not None
    h = org.handler(0)
    await svc.first_contact(session, rules=rules, actor=h, number=ticket.number, reached=True)
    await svc.reply(session, rules=rules, actor=h, number=ticket.number, data=full_reply())
    await session.commit()
    ups = [r for r in await outbox_rows(session) if r.channel is OutboxChannel.UPSTREAM]
    assert [r.payload["action"] for r in ups] == ["first_contact", "reply"]
    assert ups[1].payload["external_number"] == "SH-2026-001" and ups[1].payload["result"] == "solved"


async def test_urgent_ticket_out_of_hours_gets_the_four_hour_feedback_term(
    session: AsyncSession, rules: Rules, org: Org, clock: ManualClock
) -> None:
    clock.set(shanghai(2026, 11, 28, 22, 0))  # Saturday night
    ticket = await new_dispatched(session, rules, org, urgency=Urgency.URGENT, content="楼道里有很大的燃气味")
    assert local(ticket.feedback_due_at).strftime("%m-%d %H:%M") == "11-29 02:00"  # type: ignore[arg-type]
    assert local(ticket.due_at).strftime("%m-%d %H:%M") == "11-30 18:00"  # type: ignore[arg-type]


async def test_overdue_and_older_than_queries(sessions: SessionFactory, rules: Rules, org: Org,
                                              clock: ManualClock) -> None:
    async with sessions() as session:
        clock.set(shanghai(2026, 10, 20, 10, 0))
        old = await new_dispatched(session, rules, org)
        clock.set(shanghai(2026, 11, 20, 10, 0))
        recent = await new_dispatched(session, rules, org)
        clock.set(shanghai(2026, 11, 23, 10, 0))
        overdue = await overdue_tickets(session, now=clock.now())
        assert [t.number for t in overdue] == [old.number]
        older = await open_longer_than(session, now=clock.now(), days=25)
        assert [t.number for t in older] == [old.number]
        assert recent.number not in [t.number for t in older]
        # 2026-10-29 is exactly 25 days before the 23rd: not "more than 25".
        clock.set(shanghai(2026, 10, 29, 23, 0))
        edge = await new_dispatched(session, rules, org)
        clock.set(shanghai(2026, 11, 23, 10, 0))
        assert edge.number not in [
            t.number for t in await open_longer_than(session, now=clock.now(), days=25)
        ]
