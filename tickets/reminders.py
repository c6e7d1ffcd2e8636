"""Deadline reminders for the units' handlers, swept every few minutes.

Which reminders are due (DOMAIN §3):
- first contact (先行联系) due within the lead time and not yet made;
- completion (办结) due within one working day;
- completion overdue (since the previous working day began, so a night or a holiday
  in between loses nothing);
- urgent tickets dispatched outside working hours: feedback due within the lead time,
  or overdue (the 4-hour rule).

One digest per handler per sweep; every reminder (kind, ticket, deadline) goes out once
only — a ledger remembers what was sent, and a new deadline (extension, rework) is a new
reminder. Outside working hours only urgent tickets are reminded; the others wait for
the next working morning.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func
from sqlalchemy import null as sa_null
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import letter_texts as lt
from tickets.clock import SHANGHAI, ensure_aware, local
from tickets.context import Rules
from tickets.enums import WITH_UNIT_STATUSES, TicketStatus, Urgency
from tickets.letters import CONTENT_PREFIX, short_summary
from tickets.messaging import MessageKind, message, staff_address
from tickets.models import Staff, Ticket, Unit
from tickets.outbox import enqueue_many
from tickets.queries import unit_handlers
from tickets.rows import select_columns
from tickets.texts import fmt_local

log = logging.getLogger(__name__)

SUMMARY_CHARS = 30  # a digest line is short


class ReminderKind(StrEnum):
    # Order = order of the sections in a digest: the most pressing first.
    URGENT_FEEDBACK_OVERDUE = "urgent_feedback_overdue"
    URGENT_FEEDBACK_DUE = "urgent_feedback_due"
    OVERDUE = "overdue"
    COMPLETION_DUE = "completion_due"
    FIRST_CONTACT_DUE = "first_contact_due"


KIND_ORDER = list(ReminderKind)


@dataclass(frozen=True)
class ReminderSettings:
    """How far ahead to remind. Local choices, not DOMAIN rules: the office may tune them."""

    first_contact_lead: timedelta = timedelta(hours=4)
    urgent_feedback_lead: timedelta = timedelta(hours=1)
    completion_lead_working_days: int = 1
    # An urgent ticket whose feedback is this late is no longer a reminder but a case for the office.
    urgent_overdue_window: timedelta = timedelta(days=1)
    max_lines_per_digest: int = 30


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind
    ticket_id: int
    number: str
    unit_id: int
    urgent: bool
    deadline: datetime
    summary: str = ""

    @property
    def key(self) -> str:
        # Minutes since the epoch: cheaper than strftime for thousands of candidates a sweep.
        return f"{self.kind.value}:{self.ticket_id}:{int(self.deadline.timestamp()) // 60}"


class ReminderLedger(Protocol):
    """Remembers the reminders already sent (the scheduler keeps it in its own table)."""

    async def claim(self, session: AsyncSession, *, reminders: Sequence[Reminder], now: datetime) -> set[str]:
        """Record those not recorded before and return their keys; atomic across instances."""
        ...


@dataclass
class ReminderResult:
    at: datetime
    working_hours: bool
    candidates: int = 0
    held_for_working_hours: int = 0
    sent: int = 0
    digests: int = 0
    failed: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"candidates": self.candidates, "held_for_working_hours": self.held_for_working_hours,
                "reminders_sent": self.sent, "digests": self.digests, "failed": len(self.failed),
                **{f"sent_{kind}": n for kind, n in sorted(self.by_kind.items())}}


def previous_workday_start(rules: Rules, at: datetime) -> datetime:
    """Start of working hours on the last working day before `at`'s date."""
    day: date = local(at).date() - timedelta(days=1)
    for _ in range(60):  # the longest holiday is far shorter; a bound keeps a bad override file harmless
        if rules.calendar.is_workday(day):
            break
        day -= timedelta(days=1)
    return ensure_aware(datetime.combine(day, rules.policy.working_hours.start, tzinfo=SHANGHAI))


async def due_reminders(session: AsyncSession, *, rules: Rules, at: datetime,
                        settings: ReminderSettings | None = None) -> list[Reminder]:
    """Every reminder whose condition holds at `at`, sent before or not."""
    settings = settings or ReminderSettings()
    at = ensure_aware(at)
    with_unit = sorted(WITH_UNIT_STATUSES)
    completion_horizon = rules.calendar.add_working_days(at, settings.completion_lead_working_days)
    overdue_since = previous_workday_start(rules, at)

    def columns(deadline: Any, dispatched: Any = None) -> Any:
        # No "main_unit_id IS NOT NULL" here: it lures SQLite onto the unit index; filtered below.
        return select_columns(Ticket.id, Ticket.number, Ticket.main_unit_id, Ticket.urgency, deadline,
                      dispatched if dispatched is not None else sa_null())

    queries = [
        (
            ReminderKind.URGENT_FEEDBACK_OVERDUE,
            columns(Ticket.feedback_due_at).where(
                Ticket.status == TicketStatus.DISPATCHED,
                Ticket.urgency == Urgency.URGENT,
                col(Ticket.feedback_due_at) <= at,
                col(Ticket.feedback_due_at) > at - settings.urgent_overdue_window,
            ),
        ),
        (
            ReminderKind.URGENT_FEEDBACK_DUE,
            columns(Ticket.feedback_due_at).where(
                Ticket.status == TicketStatus.DISPATCHED,
                Ticket.urgency == Urgency.URGENT,
                col(Ticket.feedback_due_at) > at,
                col(Ticket.feedback_due_at) <= at + settings.urgent_feedback_lead,
            ),
        ),
        (
            ReminderKind.OVERDUE,
            columns(Ticket.due_at).where(
                col(Ticket.status).in_(with_unit),
                col(Ticket.due_at) <= at,
                col(Ticket.due_at) > overdue_since,
            ),
        ),
        (
            ReminderKind.COMPLETION_DUE,
            columns(Ticket.due_at, Ticket.dispatched_at).where(
                col(Ticket.status).in_(with_unit),
                col(Ticket.due_at) > at,
                col(Ticket.due_at) <= completion_horizon,
            ),
        ),
        (
            ReminderKind.FIRST_CONTACT_DUE,
            columns(Ticket.first_contact_due_at).where(
                col(Ticket.status).in_(with_unit),
                col(Ticket.first_contact_at).is_(None),
                col(Ticket.first_contact_due_at) > at,
                col(Ticket.first_contact_due_at) <= at + settings.first_contact_lead,
            ),
        ),
    ]
    reminders: list[Reminder] = []
    lead = settings.completion_lead_working_days
    for kind, query in queries:
        for ticket_id, number, unit_id, urgency, deadline, dispatched_at in (await session.exec(query)).all():
            if unit_id is None:
                continue
            if kind is ReminderKind.COMPLETION_DUE and dispatched_at is not None \
                    and rules.calendar.add_working_days(dispatched_at, lead) >= deadline:
                continue  # its whole term is this short (urgent: 1 working day); the dispatch said so
            reminders.append(Reminder(kind=kind, ticket_id=ticket_id, number=number, unit_id=unit_id,
                                      urgent=urgency == Urgency.URGENT, deadline=deadline))
    return reminders


async def with_summaries(session: AsyncSession, reminders: Sequence[Reminder]) -> list[Reminder]:
    """The masked summaries, read only for the reminders actually sent."""
    ids = sorted({r.ticket_id for r in reminders})
    contents: dict[int | None, str] = {}
    for start in range(0, len(ids), 1000):
        rows = await session.exec(select(Ticket.id, func.substr(Ticket.content, 1, CONTENT_PREFIX))
                                  .where(col(Ticket.id).in_(ids[start : start + 1000])))
        contents.update(
            (ticket_id, short_summary(content, SUMMARY_CHARS)) for ticket_id, content in rows.all()
        )
    return [replace(r, summary=contents.get(r.ticket_id, "")) for r in reminders]


async def send_deadline_reminders(
    session: AsyncSession,
    *,
    rules: Rules,
    at: datetime,
    ledger: ReminderLedger,
    settings: ReminderSettings | None = None,
) -> ReminderResult:
    """Sweep at `at`: claim the reminders not sent yet and write one digest per handler."""
    settings = settings or ReminderSettings()
    at = ensure_aware(at)
    working = rules.calendar.in_working_hours(at)
    result = ReminderResult(at=at, working_hours=working)
    candidates = await due_reminders(session, rules=rules, at=at, settings=settings)
    result.candidates = len(candidates)
    allowed = [r for r in candidates if working or r.urgent]
    result.held_for_working_hours = len(candidates) - len(allowed)
    # A ticket's most pressing reminder only: "overdue" makes "due soon" pointless.
    best: dict[tuple[int, str], Reminder] = {}
    for reminder in allowed:
        group = "feedback" if reminder.kind.name.startswith("URGENT") else reminder.kind.value
        if reminder.kind in (ReminderKind.OVERDUE, ReminderKind.COMPLETION_DUE):
            group = "completion"
        current = best.get((reminder.ticket_id, group))
        if current is None or KIND_ORDER.index(reminder.kind) < KIND_ORDER.index(current.kind):
            best[(reminder.ticket_id, group)] = reminder
    fresh_keys = await ledger.claim(session, reminders=list(best.values()), now=rules.now())
    fresh = await with_summaries(session, [r for r in best.values() if r.key in fresh_keys])
    result.sent = len(fresh)
    for reminder in fresh:
        result.by_kind[reminder.kind.value] = result.by_kind.get(reminder.kind.value, 0) + 1
    if not fresh:
        return result

    by_unit: dict[int, list[Reminder]] = {}
    for reminder in fresh:
        by_unit.setdefault(reminder.unit_id, []).append(reminder)
    names = dict(
        (await session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(list(by_unit))))).all()
    )
    staff_by_unit: dict[int, list[Staff]] = {}
    for staff in await unit_handlers(session, unit_ids=list(by_unit)):
        staff_by_unit.setdefault(staff.unit_id or 0, []).append(staff)
    hours = int(rules.policy.deadlines.urgent_offhours_feedback.amount)
    messages: list[dict[str, Any]] = []
    for unit_id, items in by_unit.items():
        unit = names.get(unit_id, str(unit_id))
        try:
            text = digest_text(
                unit=unit, reminders=items, hours=hours, max_lines=settings.max_lines_per_digest
            )
            digest_id = hashlib.sha1(",".join(sorted(r.key for r in items)).encode()).hexdigest()[:16]
            for staff in staff_by_unit.get(unit_id, []):
                to = staff_address(staff)
                if to is None:
                    continue
                messages.append(
                    message(
                        MessageKind.DEADLINE_REMINDERS,
                        to,
                        cause=f"reminders:{unit_id}:{digest_id}",
                        body={
                            "unit_id": unit_id,
                            "urgent": any(r.urgent for r in items),
                            "text": text,
                            "items": [
                                {"kind": r.kind.value, "number": r.number, "deadline": r.deadline.isoformat()}
                                for r in items
                            ],
                        },
                    )
                )
        except Exception:
            log.exception("deadline_reminders: digest for unit %s (%s) failed; skipped", unit_id, unit)
            result.failed.append(unit)
    result.digests = await enqueue_many(session, messages=messages, now=rules.now())
    return result


def digest_text(*, unit: str, reminders: Sequence[Reminder], hours: int, max_lines: int) -> str:
    lines = [lt.REMINDER_HEADER.format(unit=unit)]
    shown = 0
    ordered = sorted(reminders, key=lambda r: (KIND_ORDER.index(r.kind), r.deadline, r.number))
    for kind in KIND_ORDER:
        section = [r for r in ordered if r.kind is kind]
        if not section or shown >= max_lines:
            continue
        lines.append(lt.REMINDER_SECTION[kind.value].format(hours=hours))
        for reminder in section[: max_lines - shown]:
            lines.append(
                lt.REMINDER_LINE.format(
                    number=reminder.number, deadline=fmt_local(reminder.deadline), summary=reminder.summary
                )
            )
            shown += 1
    if len(ordered) > shown:
        lines.append(lt.REMINDER_MORE.format(count=len(ordered) - shown))
    return "\n".join(lines)
