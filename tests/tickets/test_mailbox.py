"""市长信箱 letters: received through the one door with the mailbox's own terms, the same
lifecycle, publication only with consent and without personal data; and seed 002's mailbox
table (附件2) reproduced from letters in the database, not from a counts file."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from reports.enterprise import mailbox_index
from reports.periods import parse_period
from reports.schemes import load_scheme
from tests.conftest import Org
from tests.tickets.test_service import full_reply
from tickets import intake, mailbox
from tickets import service as svc
from tickets.clock import ManualClock, shanghai
from tickets.context import Actor, Rules
from tickets.enums import (
    Action,
    Channel,
    HandlerSlot,
    RequestType,
    Role,
    Satisfaction,
    TicketStatus,
    UnitKind,
)
from tickets.errors import Forbidden, HotlineError, IllegalTransition
from tickets.messaging import MessageKind
from tickets.models import MailboxLetter, Outbox, Staff, TicketEvent, Unit
from tickets.schemas import CallbackAnswers, TicketCreate

SEEDS = Path(__file__).parent.parent / "reports" / "data"
WRITER = Actor(role=Role.CITIZEN, name="市民")
PRIVATE_BODY = ("我是王小明，住在幸福小区3栋2单元1201室，身份证号110101199003071234，电话13812345678，"
                "邮箱wxm@example.com。小区门口道路破损半年，雨天积水，老人孩子出行困难，希望尽快修复。")


def letter(**overrides: object) -> mailbox.LetterCreate:
    values: dict[str, object] = {
        "title": "幸福小区门口道路破损",
        "body": PRIVATE_BODY,
        "publish_consent": True,
        "contact_name": "王小明",
        "contact_phone": "13812345678",
    }
    values.update(overrides)
    return mailbox.LetterCreate.model_validate(values)


async def handle(session: AsyncSession, rules: Rules, clock: ManualClock, org: Org, number: str, *,
                 unit_index: int = 0, late: bool = False, satisfaction: Satisfaction = Satisfaction.SATISFIED,
                 rework: bool = False, unit_id: int | None = None, handler: Actor | None = None) -> None:
    """One letter through the whole lifecycle: dispatch, accept, first contact, reply, callback."""
    unit = unit_id if unit_id is not None else org.unit_ids[unit_index]
    who = handler or org.handler(unit_index)
    await svc.dispatch(session, rules=rules, actor=org.actor_office(), number=number, unit_id=unit)
    clock.advance(timedelta(minutes=30))
    await svc.first_contact(session, rules=rules, actor=who, number=number, reached=True)
    clock.advance(timedelta(days=20) if late else timedelta(hours=2))
    await svc.reply(session, rules=rules, actor=who, number=number, data=full_reply(answered_at=clock.now()))
    clock.advance(timedelta(hours=1))
    if rework:
        await svc.record_callback(session, rules=rules, actor=org.actor_office(), number=number,
                                  answers=CallbackAnswers(contacted=True, answered=True, solved=False,
                                                          satisfaction=Satisfaction.AVERAGE))
        clock.advance(timedelta(hours=1))
        await svc.reply(
            session, rules=rules, actor=who, number=number, data=full_reply(answered_at=clock.now())
        )
        clock.advance(timedelta(hours=1))
    await svc.record_callback(session, rules=rules, actor=org.actor_office(), number=number,
                              answers=CallbackAnswers(contacted=True, answered=True, solved=True,
                                                      satisfaction=satisfaction))
    await session.commit()


async def test_a_letter_runs_the_lifecycle_on_the_mailbox_terms(session: AsyncSession, rules: Rules, org: Org,
                                                                clock: ManualClock) -> None:
    ticket = await mailbox.write_letter(session, rules=rules, actor=WRITER, letter=letter())
    await session.commit()
    assert ticket.channel is Channel.MAILBOX and ticket.status is TicketStatus.RECEIVED
    stored = await session.get(MailboxLetter, ticket.id)
    assert stored is not None and stored.title == "幸福小区门口道路破损" and stored.publish_consent
    # Monday 2026-11-23 10:00 + 10 working days (policy mailbox.completion) = Monday 12-07 10:00.
    await svc.dispatch(
        session, rules=rules, actor=org.actor_office(), number=ticket.number, unit_id=org.unit_ids[0]
    )
    assert ticket.due_at == shanghai(2026, 12, 7, 10, 0)
    assert ticket.first_contact_due_at == shanghai(2026, 11, 24, 10, 0)
    # An ordinary web ticket dispatched at the same moment keeps the general 5 working days.
    other = await intake.create_ticket(session, rules=rules, actor=WRITER, data=TicketCreate(
        channel=Channel.WEB, request_type=RequestType.COMPLAINT, content="路灯不亮了，晚上走路很危险。"))
    await svc.dispatch(
        session, rules=rules, actor=org.actor_office(), number=other.number, unit_id=org.unit_ids[0]
    )
    assert other.due_at == shanghai(2026, 11, 30, 10, 0)
    await session.commit()


async def test_a_published_letter_carries_no_personal_data(session: AsyncSession, rules: Rules, org: Org,
                                                           clock: ManualClock) -> None:
    ticket = await mailbox.write_letter(session, rules=rules, actor=WRITER, letter=letter())
    await session.commit()
    number = ticket.number
    # Not before it is closed: publication follows the reply and the callback.
    with pytest.raises(IllegalTransition):
        await mailbox.publish(session, rules=rules, actor=org.actor_office(), number=number)
    await session.rollback()
    await handle(session, rules, clock, org, number)
    reply = "王小明您好：经现场查看，道路破损属实，已列入本月维修计划，联系人李工 13900001111。"
    published = await mailbox.publish(
        session, rules=rules, actor=org.actor_office(), number=number, reply=reply
    )
    await session.commit()
    assert published.published_at == clock.now()
    page = await mailbox.published_letters(session)
    assert [p.number for p in page] == [number]
    shown = " ".join([page[0].title, page[0].body, page[0].reply])
    for private in ("王小明", "1201", "110101199003071234", "13812345678", "wxm@example.com", "13900001111",
                    "****5678", "****1111"):
        assert private not in shown, private
    assert "道路破损半年" in page[0].body and "已列入本月维修计划" in page[0].reply
    assert page[0].unit == "区住建局"
    # The audit trail says who published, and the writer is told.
    events = (await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(col(TicketEvent.id)))).all()
    assert events[-1].action is Action.PUBLISH and events[-1].actor_name == "王主任"
    told = [r for r in (await session.exec(select(Outbox))).all()
            if r.payload["kind"] == MessageKind.LETTER_PUBLISHED.value]
    assert [r.recipient for r in told] == ["13812345678"]
    with pytest.raises(IllegalTransition, match="已经公开"):
        await mailbox.publish(session, rules=rules, actor=org.actor_office(), number=number)


async def test_without_consent_nothing_is_published(session: AsyncSession, rules: Rules, org: Org,
                                                    clock: ManualClock) -> None:
    ticket = await mailbox.write_letter(
        session, rules=rules, actor=WRITER, letter=letter(publish_consent=False)
    )
    number = ticket.number
    await session.commit()
    await handle(session, rules, clock, org, number)
    with pytest.raises(IllegalTransition, match="未同意公开"):
        await mailbox.publish(session, rules=rules, actor=org.actor_office(), number=number)
    await session.rollback()
    assert await mailbox.published_letters(session) == []
    # A handler cannot publish either (the office decides what the public reads).
    with pytest.raises(Forbidden, match="没有权限"):
        await mailbox.publish(session, rules=rules, actor=org.handler(0), number=number)


@pytest.mark.parametrize(("changes", "says"), [
    ({"title": ""}, "请填写信件标题"),
    ({"title": "🙏🙏🙏"}, "用文字写明事由"),
    ({"title": "标题" * 30}, "信件标题"),
    ({"body": "字" * 5001}, "5001 字"),
    ({"body": "😡😡😡！！！"}, "只有表情或标点"),
    ({"body": "正文\x00含控制字符"}, "控制字符"),
    ({"contact_phone": "123"}, "格式不正确"),
])
async def test_bad_letters_are_refused_with_the_reason(session: AsyncSession, rules: Rules, org: Org,
                                                       changes: dict[str, object], says: str) -> None:
    with pytest.raises(HotlineError, match=says):
        await mailbox.write_letter(session, rules=rules, actor=WRITER, letter=letter(**changes))
    await session.rollback()
    assert (await session.exec(select(MailboxLetter))).all() == []


async def test_emoji_and_traditional_characters_inside_a_letter_are_kept(session: AsyncSession, rules: Rules,
                                                                         org: Org) -> None:
    body = "小區門口道路破損，雨天積水😢，希望儘快修復。"
    ticket = await mailbox.write_letter(session, rules=rules, actor=WRITER,
                                        letter=letter(title="道路破損🚧", body=body))
    await session.commit()
    stored = await session.get(MailboxLetter, ticket.id)
    assert stored is not None and stored.title == "道路破損🚧" and ticket.content == body


# --- seed 002 附件2 from the database ------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


async def test_seed002_mailbox_index_is_reproduced_from_letters_in_the_database(
        session: AsyncSession, rules: Rules, org: Org, clock: ManualClock) -> None:
    """77 letters of 2021 Q3 to the 24 units of 君山区, each run through the lifecycle: late
    replies, one rework and the unsatisfied callbacks (一般) as the table counts them."""
    clock.set(shanghai(2021, 7, 5, 9, 0))
    counts = _rows("seed002_counts.csv")
    for row in counts:
        # The small org of the fixtures already has two of the 24 units.
        unit = (await session.exec(select(Unit).where(Unit.name == row["unit"]))).first() \
            or Unit(name=row["unit"], kind=UnitKind.DEPARTMENT)
        session.add(unit)
        await session.flush()
        staff = Staff(
            role=Role.HANDLER, unit_id=unit.id, slot=HandlerSlot.A, name="联络员", phone="13800000000"
        )
        session.add(staff)
        await session.flush()
        handler = Actor.of_staff(staff)
        received, on_time = int(row["received"]), int(row["on_time"])
        reworked, satisfied = int(row["rework"]), int(row["satisfied"])
        for i in range(received):
            written = await mailbox.write_letter(session, rules=rules, actor=WRITER, letter=letter(
                title=f"来信{i + 1}", body=f"关于{row['unit']}职责范围内事项的来信，请予办理。",
                contact_name=None, contact_phone=None))
            await handle(session, rules, clock, org, written.number, unit_id=unit.id, handler=handler,  # type: ignore[arg-type]
                         late=i >= on_time, rework=i < reworked,
                         # 基本满意 counts as satisfied too; 一般 does not (and, unlike 不满意, sends no
                         # rework).
                         satisfaction=(Satisfaction.SATISFIED if i % 2 else Satisfaction.BASICALLY_SATISFIED)
                         if i < satisfied else Satisfaction.AVERAGE)
            clock.advance(timedelta(hours=1))
    # Tickets of other channels in the same quarter do not count for the mailbox.
    other = await intake.create_ticket(session, rules=rules, actor=WRITER, data=TicketCreate(
        channel=Channel.PHONE, request_type=RequestType.COMPLAINT, content="电话反映路灯不亮。"))
    await session.commit()
    unit_id = (await session.exec(select(Unit.id).where(Unit.name == "住建局"))).one()
    await svc.dispatch(session, rules=rules, actor=org.actor_office(), number=other.number, unit_id=unit_id)
    await session.commit()
    assert clock.now() < shanghai(2021, 10, 1, 0, 0)

    table = await mailbox_index(
        session,
        period=parse_period("2021-Q3"),
        scheme=load_scheme("comprehensive-index"),
        as_of=shanghai(2021, 12, 31, 0, 0),
    )
    assert table is not None
    printed = {r["unit"]: r for r in _rows("seed002_printed.csv")}
    rows = [*table.units, table.total]
    assert len(rows) == 25 and {r.unit for r in rows} == set(printed)
    for row in rows:
        expected = printed[row.unit]
        assert row.score == Decimal(expected["score"]), row.unit
        assert row.grade == expected["grade"], row.unit
        for rate in ("completion_rate", "on_time_rate", "rework_rate", "satisfaction_rate"):
            assert row.indicator_percent(rate) == Decimal(expected[rate]), (row.unit, rate)
    assert str(table.total.score) == "97.66" and table.total.counts["received"] == 77
    assert sorted(r.unit for r in rows if r.grade == "B") == sorted(["供电分公司", "城建投"])


async def test_the_preview_is_what_publishing_stores_and_a_withdrawal_takes_it_down(
        session: AsyncSession, rules: Rules, org: Org, clock: ManualClock) -> None:
    ticket = await mailbox.write_letter(session, rules=rules, actor=WRITER, letter=letter())
    number = ticket.number
    await session.commit()
    await handle(session, rules, clock, org, number)
    before = await mailbox.preview(session, number=number)
    assert before.blocked is None and "110101199003071234" not in before.shown.body
    [listed] = await mailbox.replied_letters(session)
    assert listed.number == number and listed.consent and listed.blocked is None
    stored = await mailbox.publish(session, rules=rules, actor=org.actor_office(), number=number)
    assert (stored.public_title, stored.public_body, stored.public_reply) == (
        before.shown.title, before.shown.body, before.shown.reply)
    # Taken down with a reason (the audit trail keeps it), then it may be published again.
    with pytest.raises(HotlineError, match="撤回公开的原因"):
        await mailbox.unpublish(session, rules=rules, actor=org.actor_office(), number=number, reason=" ")
    with pytest.raises(Forbidden):
        await mailbox.unpublish(session, rules=rules, actor=org.handler(0), number=number, reason="误发")
    await mailbox.unpublish(session, rules=rules, actor=org.actor_office(), number=number,
                            reason="来信人要求撤下")
    await session.commit()
    assert await mailbox.published_letters(session) == []
    last = (await session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                               .order_by(col(TicketEvent.id).desc()))).first()
    assert last is not None and last.action is Action.UNPUBLISH and last.note == "来信人要求撤下"
    with pytest.raises(IllegalTransition, match="没有公开"):
        await mailbox.unpublish(session, rules=rules, actor=org.actor_office(), number=number, reason="再撤")
    await mailbox.publish(session, rules=rules, actor=org.actor_office(), number=number)
    assert [p.number for p in await mailbox.published_letters(session)] == [number]


async def test_letters_not_yet_closed_or_without_consent_say_why_they_cannot_be_published(
        session: AsyncSession, rules: Rules, org: Org, clock: ManualClock) -> None:
    refused = await mailbox.write_letter(session, rules=rules, actor=WRITER,
                                         letter=letter(publish_consent=False))
    await session.commit()
    await handle(session, rules, clock, org, refused.number)
    waiting = await mailbox.write_letter(session, rules=rules, actor=WRITER, letter=letter())
    await session.commit()
    await svc.dispatch(session, rules=rules, actor=org.actor_office(), number=waiting.number,
                       unit_id=org.unit_ids[0])
    await svc.first_contact(session, rules=rules, actor=org.handler(0), number=waiting.number, reached=True)
    await svc.reply(session, rules=rules, actor=org.handler(0), number=waiting.number,
                    data=full_reply(answered_at=clock.now()))
    await session.commit()
    found = {row.number: row.blocked for row in await mailbox.replied_letters(session)}
    assert found[refused.number] is not None and "未同意公开" in found[refused.number]
    assert found[waiting.number] is not None and "尚未回访结案" in found[waiting.number]
