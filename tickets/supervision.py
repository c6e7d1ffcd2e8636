"""The weekly supervision list (督办, DOMAIN §4): repeated complaints of one citizen on one
matter, callbacks answered "unsatisfied" in the past week and tickets put under
supervision, pushed every week to each unit concerned, with a summary for the office."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import letter_texts as lt
from tickets import texts
from tickets.clock import ensure_aware, local, week_key
from tickets.context import Rules
from tickets.enums import OPEN_STATUSES, NoticeKind, Satisfaction
from tickets.letters import (
    CONTENT_PREFIX,
    Delivery,
    LetterDraft,
    office_name,
    render_markdown,
    short_summary,
    store_and_send,
)
from tickets.messaging import MessageKind, tell_office
from tickets.models import Ticket, Unit
from tickets.rows import select_columns

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)


def first_workday_of_week(rules: Rules, day: date) -> bool:
    """The list goes out on the first working day of the ISO week (Monday, unless a holiday)."""
    if not rules.calendar.is_workday(day):
        return False
    monday = day - timedelta(days=day.weekday())
    return not any(rules.calendar.is_workday(monday + timedelta(days=i)) for i in range(day.weekday()))


@dataclass
class SupervisionResult:
    day: date
    week: str
    ran: bool
    repeat: int = 0
    unsatisfied: int = 0
    supervised: int = 0
    tickets: int = 0
    units: int = 0
    letters: Delivery = field(default_factory=Delivery)
    failed: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"ran": int(self.ran), "tickets": self.tickets, "units": self.units, "repeat": self.repeat,
                "unsatisfied": self.unsatisfied, "supervised": self.supervised,
                "letters_created": len(self.letters.created), "letters_existing": self.letters.existing,
                "messages": self.letters.messages, "failed": len(self.failed)}


async def run_supervision_weekly(session: AsyncSession, *, rules: Rules, at: datetime,
                                 only_first_workday: bool = True) -> SupervisionResult:
    """The week's list as of `at`. Scheduled daily, it acts on the week's first working day
    only; an office re-running it by hand may pass only_first_workday=False."""
    at = ensure_aware(at)
    day = local(at).date()
    result = SupervisionResult(day=day, week=week_key(day), ran=False)
    if only_first_workday and not first_workday_of_week(rules, day):
        return result
    result.ran = True
    threshold = rules.policy.supervision.repeat_complaints
    open_statuses = sorted(OPEN_STATUSES)
    columns = (
        Ticket.id,
        Ticket.main_unit_id,
        Ticket.number,
        Ticket.category,
        Ticket.received_at,
        Ticket.status,
        Ticket.repeat_count,
        Ticket.cb_satisfaction,
        Ticket.callback_at,
        Ticket.supervised,
        func.substr(Ticket.content, 1, CONTENT_PREFIX),
    )
    # Three narrow queries, each on its own index, rather than one OR that reads the whole table.
    criteria: list[tuple[Any, ...]] = [
        (col(Ticket.status).in_(open_statuses), col(Ticket.repeat_count) >= threshold - 1),
        (col(Ticket.status).in_(open_statuses), Ticket.supervised == True),  # noqa: E712
        (col(Ticket.callback_at) > at - WEEK, col(Ticket.callback_at) <= at,
         Ticket.cb_satisfaction == Satisfaction.UNSATISFIED),
    ]
    found: dict[int, tuple[Any, ...]] = {}
    for where in criteria:
        for row in (
            await session.exec(select_columns(*columns).where(*where, col(Ticket.archived).is_(False)))
        ).all():
            if row[1] is not None:
                found[row[0]] = tuple(row[1:])
    rows = sorted(found.values(), key=lambda r: (r[0], r[3], r[1]))  # unit, received_at, number

    per_unit: dict[int, list[dict[str, object]]] = {}
    for (
        unit_id,
        number,
        category,
        received_at,
        status,
        repeats,
        satisfaction,
        callback_at,
        supervised,
        content,
    ) in rows:
        reasons = []
        if status in OPEN_STATUSES and repeats >= threshold - 1:
            reasons.append(lt.SUPERVISION_REASON_REPEAT + f"（{repeats + 1}次）")
            result.repeat += 1
        if (
            satisfaction is Satisfaction.UNSATISFIED
            and callback_at is not None
            and at - WEEK < callback_at <= at
        ):
            reasons.append(lt.SUPERVISION_REASON_UNSATISFIED)
            result.unsatisfied += 1
        if status in OPEN_STATUSES and supervised:
            reasons.append(lt.SUPERVISION_REASON_SUPERVISED)
            result.supervised += 1
        per_unit.setdefault(unit_id, []).append({
            "reason": "、".join(reasons), "number": number, "summary": short_summary(content),
            "category": category or "未分类", "received": local(received_at).date().isoformat(),
            "status": texts.STATUS[status],
        })
    result.tickets = len(rows)
    result.units = len(per_unit)

    names = dict(
        (await session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(list(per_unit))))).all()
    )
    office = await office_name(session)
    drafts: list[LetterDraft] = []
    for unit_id, items in per_unit.items():
        unit = names.get(unit_id, str(unit_id))
        try:
            body = render_markdown(
                "supervision",
                title=lt.TITLE_SUPERVISION,
                unit=unit,
                week=lt.cn_week(day),
                rows=items,
                repeat_threshold=threshold,
                office=office,
                date=lt.cn_date(day),
            )
            drafts.append(LetterDraft(
                kind=NoticeKind.SUPERVISION, unit_id=unit_id, unit_name=unit, period_key=result.week,
                title=lt.TITLE_SUPERVISION, body=body,
                push_text=lt.PUSH_SUPERVISION.format(unit=unit, count=len(items)),
                data={"week": result.week, "tickets": items},
            ))
        except Exception:
            log.exception("supervision_weekly: list for unit %s (%s) failed; skipped", unit_id, unit)
            result.failed.append(unit)
    result.letters = await store_and_send(session, rules=rules, drafts=drafts)
    if rows:
        text = lt.OFFICE_SUPERVISION.format(week=lt.cn_week(day), units=result.units, count=result.tickets,
                                            repeat=result.repeat, unsatisfied=result.unsatisfied,
                                            supervised=result.supervised)
    else:
        text = lt.OFFICE_SUPERVISION_NONE.format(week=lt.cn_week(day))
    await tell_office(session, rules=rules, key=f"supervision_weekly:{result.week}", text=text,
                      kind=MessageKind.SUPERVISION_SUMMARY)
    return result
