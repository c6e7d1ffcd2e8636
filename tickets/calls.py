"""双呼 call evidence (seed 003 §(一)(二), DOMAIN §3 steps 1 and 4): contact proven by the
platform's call records, not by a button.

The rule, judged per stage from the calls of that stage:

* 先行简告 (brief contact, the office): calls dialled after receipt and before dispatch, due
  `deadlines.brief_contact` after receipt (tickets from above);
* 先行联系 (first contact, the unit): calls of the ticket's main unit dialled since it received
  the ticket (its dispatch), due `deadlines.first_contact` later (1 working day);

and in either stage the contact is proven at the first answered call to the citizen's number
or, when the citizen cannot be reached, at the `contact.attempts_when_unreachable`-th
unanswered call (no answer, busy, refused), counting only calls dialled at least
`contact.min_gap_between_attempts` after the previous counted one (3 calls ≥ 1 hour apart by
default; their dial times are the "contact times written down"). Proven in time when that
moment is not after the stage's deadline.

Calls to another number than the ticket's contact phone are kept but prove nothing. From the
day `contact.call_evidence_since` (the platform's go-live) the reports count a ticket's first
contact only when proven here, and a first contact pressed without a call to back it is
marked unproven in the ticket's audit trail (tickets.service.first_contact).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import texts
from tickets.calendar import WorkCalendar
from tickets.clock import ensure_aware, local
from tickets.deadlines import describe_period
from tickets.enums import CallOutcome, Channel
from tickets.errors import NotFound, ValidationFailed
from tickets.models import CallRecord, Ticket
from tickets.policy import Policy

UNANSWERED = frozenset({CallOutcome.NO_ANSWER, CallOutcome.BUSY, CallOutcome.REFUSED})


class ContactStage(StrEnum):
    BRIEF_CONTACT = "brief_contact"  # 先行简告, the office
    FIRST_CONTACT = "first_contact"  # 先行联系, the main unit


@dataclass(frozen=True)
class ContactProof:
    """What the calls of one stage prove."""

    reached_at: datetime | None  # the first answered call's answer time
    attempts: tuple[datetime, ...]  # dial times of the counted unanswered calls, gap respected
    proven_at: datetime | None  # when the rule was first met (None: not met)
    due_at: datetime | None

    @property
    def in_time(self) -> bool:
        return self.proven_at is not None and (self.due_at is None or self.proven_at <= self.due_at)


def describe(proof: ContactProof, *, policy: Policy) -> str:
    """What the calls prove, in one Chinese sentence (workbench, handler's card)."""
    times = "、".join(texts.fmt_local(t) for t in proof.attempts)
    needed = policy.contact.attempts_when_unreachable
    if proof.proven_at is None:
        if not proof.attempts:
            return texts.PROOF_NONE
        return texts.PROOF_NONE_ATTEMPTS.format(n=len(proof.attempts), times=times, needed=needed,
                                                gap=describe_period(policy.contact.min_gap_between_attempts))
    if proof.reached_at is not None and proof.proven_at == proof.reached_at:
        how = texts.PROOF_REACHED.format(at=texts.fmt_local(proof.reached_at))
    else:
        how = texts.PROOF_ATTEMPTS.format(
            n=needed, times="、".join(texts.fmt_local(t) for t in proof.attempts[:needed])
        )
    return (texts.PROOF_IN_TIME if proof.in_time else texts.PROOF_LATE).format(how=how)


def evidence_applies(ticket: Ticket, policy: Policy) -> bool:
    """The 双呼 platform was live when the ticket came in: its calls, not buttons, prove contact."""
    since = policy.contact.call_evidence_since
    return since is not None and local(ticket.received_at).date() >= since


def stage_of(ticket: Ticket, call: CallRecord) -> ContactStage | None:
    """Which contact a call is an attempt of, by who dialled it and when; None: neither (a call
    of a co-handling unit, or a unit's call before it had the ticket)."""
    dialed = ensure_aware(call.dialed_at)
    if ticket.dispatched_at is None or dialed < ensure_aware(ticket.dispatched_at):
        return ContactStage.BRIEF_CONTACT if dialed >= ensure_aware(ticket.received_at) else None
    return ContactStage.FIRST_CONTACT if call.calling_unit_id == ticket.main_unit_id else None


def to_the_citizen(ticket: Ticket, call: CallRecord) -> bool:
    return not ticket.contact_phone or call.callee_phone == ticket.contact_phone


def judge(calls: Sequence[CallRecord], *, due_at: datetime | None, policy: Policy,
          calendar: WorkCalendar) -> ContactProof:
    """The rule over one stage's calls to the citizen (any order)."""
    ordered = sorted(calls, key=lambda c: ensure_aware(c.dialed_at))
    reached_at = next((ensure_aware(c.answered_at) for c in ordered
                       if c.outcome is CallOutcome.ANSWERED and c.answered_at is not None), None)
    gap = policy.contact.min_gap_between_attempts
    attempts: list[datetime] = []
    for call in ordered:
        dialed = ensure_aware(call.dialed_at)
        if call.outcome in UNANSWERED and (not attempts or dialed >= calendar.add(attempts[-1], gap)):
            attempts.append(dialed)
    needed = policy.contact.attempts_when_unreachable
    enough = attempts[needed - 1] if len(attempts) >= needed else None
    proven = [t for t in (reached_at, enough) if t is not None]
    return ContactProof(
        reached_at=reached_at,
        attempts=tuple(attempts),
        proven_at=min(proven) if proven else None,
        due_at=ensure_aware(due_at) if due_at is not None else None,
    )


def stage_calls(ticket: Ticket, calls: Sequence[CallRecord], stage: ContactStage) -> list[CallRecord]:
    return [c for c in calls if stage_of(ticket, c) is stage and to_the_citizen(ticket, c)]


def proof(ticket: Ticket, calls: Sequence[CallRecord], stage: ContactStage, *, policy: Policy,
          calendar: WorkCalendar) -> ContactProof:
    due = ticket.brief_contact_due_at if stage is ContactStage.BRIEF_CONTACT else ticket.first_contact_due_at
    return judge(stage_calls(ticket, calls, stage), due_at=due, policy=policy, calendar=calendar)


async def ticket_calls(session: AsyncSession, *, ticket_id: int) -> list[CallRecord]:
    rows = await session.exec(select(CallRecord).where(CallRecord.ticket_id == ticket_id)
                              .order_by(col(CallRecord.dialed_at), col(CallRecord.id)))
    return list(rows.all())


async def ticket_for_call(session: AsyncSession, *, number: str) -> Ticket:
    """The ticket a call record names: our number, or the upstream platform's number of a
    ticket from above (the platform's agents see that one)."""
    ticket = (
        await session.exec(
            select(Ticket)
            .where(
                or_(
                    Ticket.number == number,
                    (col(Ticket.channel) == Channel.UPSTREAM) & (col(Ticket.external_number) == number),
                )
            )
            .order_by(col(Ticket.id).desc())
        )
    ).first()
    if ticket is None:
        raise NotFound(texts.ERR_CALL_TICKET_NOT_FOUND.format(number=number[:64]))
    return ticket


def refresh_proofs(
    ticket: Ticket, calls: Sequence[CallRecord], *, policy: Policy, calendar: WorkCalendar
) -> None:
    """Stores on the ticket when its calls proved each contact (for the reports' SQL)."""
    ticket.brief_contact_proven_at = proof(ticket, calls, ContactStage.BRIEF_CONTACT, policy=policy,
                                           calendar=calendar).proven_at
    ticket.first_contact_proven_at = proof(ticket, calls, ContactStage.FIRST_CONTACT, policy=policy,
                                           calendar=calendar).proven_at


def backs_press(ticket: Ticket, calls: Sequence[CallRecord], *, reached: bool, now: datetime) -> bool:
    """A pressed first contact is backed by a call of the unit to the citizen, made by now,
    that ended the way the press says (answered for "reached", unanswered otherwise)."""
    wanted = {CallOutcome.ANSWERED} if reached else UNANSWERED
    return any(c.outcome in wanted and ensure_aware(c.dialed_at) <= ensure_aware(now)
               for c in stage_calls(ticket, calls, ContactStage.FIRST_CONTACT))


@dataclass(frozen=True)
class CallReport:
    """One call-detail record as the platform reports it (validated by the adapter's schema)."""

    call_id: str
    ticket_number: str
    calling_unit_id: int
    calling_staff: str
    callee_phone: str  # normalised
    dialed_at: datetime
    answered_at: datetime | None
    hung_up_at: datetime
    outcome: CallOutcome
    recording_ref: str | None = None

    def same_call(self, record: CallRecord) -> bool:
        """A re-delivery of `record` (the platform retries): every reported field alike."""
        return (
            record.calling_unit_id,
            record.calling_staff,
            record.callee_phone,
            ensure_aware(record.dialed_at),
            ensure_aware(record.answered_at) if record.answered_at else None,
            ensure_aware(record.hung_up_at),
            record.outcome,
            record.recording_ref,
        ) == (
            self.calling_unit_id,
            self.calling_staff,
            self.callee_phone,
            ensure_aware(self.dialed_at),
            ensure_aware(self.answered_at) if self.answered_at else None,
            ensure_aware(self.hung_up_at),
            self.outcome,
            self.recording_ref,
        )


def check_report(report: CallReport, *, now: datetime, tolerance_seconds: int) -> None:
    """Times in order, an answer time exactly for answered calls, nothing after now (plus the
    clock difference the signature window allows)."""
    answered = report.outcome is CallOutcome.ANSWERED
    if answered != (report.answered_at is not None):
        raise ValidationFailed(texts.ERR_CALL_ANSWER_TIME)
    times = [t for t in (report.dialed_at, report.answered_at, report.hung_up_at) if t is not None]
    if times != sorted(times):
        raise ValidationFailed(texts.ERR_CALL_TIMES_ORDER)
    if report.hung_up_at > now + timedelta(seconds=tolerance_seconds):
        raise ValidationFailed(texts.ERR_CALL_IN_FUTURE)
