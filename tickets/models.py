"""Tables of the ticket domain (SQLModel). Timestamps are stored in UTC and come back
timezone-aware on every database (see UTCDateTime)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Column, Field, SQLModel

from tickets.enums import (
    Action,
    CallOutcome,
    Channel,
    HandlerSlot,
    NoticeKind,
    OutboxChannel,
    OutboxStatus,
    RequestType,
    ResultCategory,
    Role,
    Satisfaction,
    TicketStatus,
    UnitKind,
    Urgency,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out — SQLite forgets the zone otherwise."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _ts(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _enum(enum: type, *, nullable: bool = False, index: bool = False, default: Any = None) -> Any:
    # Stored as plain strings (native_enum=False) so adding a value needs no ALTER TYPE.
    return Field(
        default=default,
        sa_column=Column(
            sa.Enum(enum, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]),
            nullable=nullable,
            index=index,
        ),
    )


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(sa.JSON, nullable=False))


# --- units and people ------------------------------------------------------


class UnitBase(SQLModel):
    name: str = Field(max_length=100, unique=True)
    kind: UnitKind = _enum(UnitKind)
    parent_id: int | None = Field(default=None, foreign_key="unit.id")
    active: bool = True
    # Free words that help routing before any model is trained ("燃气", "物业"...).
    keywords: str = Field(default="", max_length=500)


class Unit(UnitBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class UnitPublic(UnitBase):
    id: int


class StaffBase(SQLModel):
    role: Role = _enum(Role)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    slot: HandlerSlot | None = _enum(HandlerSlot, nullable=True)
    name: str = Field(max_length=50)
    phone: str = Field(max_length=20)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(sa.BigInteger, unique=True))
    active: bool = True


class Staff(StaffBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class Citizen(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=20, index=True)
    telegram_user_id: int | None = Field(default=None, sa_column=Column(sa.BigInteger, unique=True))
    created_at: datetime = _ts(nullable=False)


# --- tickets ------------------------------------------------------------------


class TicketBase(SQLModel):
    channel: Channel = _enum(Channel)
    external_number: str | None = Field(default=None, max_length=64)
    request_type: RequestType = _enum(RequestType)
    category: str = Field(default="", max_length=50)
    urgency: Urgency = _enum(Urgency, default=Urgency.GENERAL)
    content: str = Field(sa_column=Column(sa.Text, nullable=False))
    place: str = Field(default="", max_length=200)


class Ticket(TicketBase, table=True):
    __table_args__ = (
        # The sweeps (overdue, open > 25 days) read number and unit straight from these indexes
        # on PostgreSQL (index-only scans) instead of visiting a million-row heap.
        sa.Index("ix_ticket_status_due", "status", "due_at", postgresql_include=["main_unit_id", "number"]),
        sa.Index("ix_ticket_status_received", "status", "received_at",
                 postgresql_include=["main_unit_id", "number"]),
        sa.Index("ix_ticket_unit_status", "main_unit_id", "status"),
        # Period reads whatever the state (the console's 总览 and today's intake, the reports'
        # volumes): a range of days instead of the whole table (bench/web_bench.py).
        sa.Index("ix_ticket_received", "received_at"),
        sa.Index("ix_ticket_external", "channel", "external_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    status: TicketStatus = _enum(TicketStatus, default=TicketStatus.RECEIVED)
    citizen_id: int | None = Field(default=None, foreign_key="citizen.id", index=True)
    # The contact given for this request; private (DOMAIN §8), masked outside office and unit.
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: str | None = Field(default=None, max_length=20)
    confidential: bool = False
    main_unit_id: int | None = Field(default=None, foreign_key="unit.id")

    received_at: datetime = _ts(nullable=False)
    brief_contact_due_at: datetime | None = _ts()
    brief_contact_at: datetime | None = _ts()
    dispatched_at: datetime | None = _ts()
    accepted_at: datetime | None = _ts()
    first_contact_due_at: datetime | None = _ts()
    first_contact_at: datetime | None = _ts()
    first_contact_attempts: int = 0
    # When the 双呼 call records satisfied the contact rule (tickets.calls); None = not (yet).
    brief_contact_proven_at: datetime | None = _ts()
    first_contact_proven_at: datetime | None = _ts()
    site_visit_at: datetime | None = _ts()
    return_window_until: datetime | None = _ts()
    extension_window_until: datetime | None = _ts()
    feedback_due_at: datetime | None = _ts()  # urgent tickets dispatched outside working hours
    due_at: datetime | None = _ts()
    extended_days: int = 0
    replied_at: datetime | None = _ts()
    closed_at: datetime | None = _ts()

    result: ResultCategory | None = _enum(ResultCategory, nullable=True)
    reply_text: str | None = Field(default=None, sa_column=Column(sa.Text))
    reply_details: dict[str, Any] = _json()

    callback_at: datetime | None = _ts()
    callback_reached: bool | None = None
    cb_contacted: bool | None = None
    cb_answered: bool | None = None
    cb_solved: bool | None = None
    cb_satisfaction: Satisfaction | None = _enum(Satisfaction, nullable=True)

    rework_count: int = 0
    repeat_count: int = 0
    supervised: bool = False
    archived: bool = False  # 存电: excluded from satisfaction
    # A pending return / extension request: what the unit asked for.
    pending_request: dict[str, Any] = _json()
    updated_at: datetime = _ts(nullable=False)


class TicketCoUnit(SQLModel, table=True):
    """Co-handling units (协办): they share the metrics with the main unit (主协办同责)."""

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, index=True)


class TicketEvent(SQLModel, table=True):
    """The audit trail: one row for every action on a ticket, written with the change."""

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = _ts(nullable=False)
    actor_role: Role = _enum(Role)
    actor_id: int | None = None
    actor_name: str = Field(default="", max_length=50)
    action: Action = _enum(Action)
    from_status: TicketStatus = _enum(TicketStatus)
    to_status: TicketStatus = _enum(TicketStatus)
    note: str = Field(default="", sa_column=Column(sa.Text, nullable=False, default=""))
    data: dict[str, Any] = _json()


class CallRecord(SQLModel, table=True):
    """One call of the 双呼 platform about a ticket (its call-detail record, tickets.calls):
    the evidence that the citizen was called, and when. One row per platform call id."""

    __tablename__ = "call_record"
    __table_args__ = (sa.Index("ix_call_record_ticket_dialed", "ticket_id", "dialed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: str = Field(max_length=100, unique=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    calling_unit_id: int = Field(foreign_key="unit.id")
    calling_staff: str = Field(max_length=50)
    # The number called, normalised; private (DOMAIN §8): masked in every log line and view.
    callee_phone: str = Field(max_length=20)
    dialed_at: datetime = _ts(nullable=False)
    answered_at: datetime | None = _ts()
    hung_up_at: datetime = _ts(nullable=False)
    outcome: CallOutcome = _enum(CallOutcome)
    recording_ref: str | None = Field(default=None, max_length=500)
    received_at: datetime = _ts(nullable=False)


class TicketCounter(SQLModel, table=True):
    """Per-day sequence behind human-readable ticket numbers (YYYYMMDD + 5 digits)."""

    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


# --- office checks and notifications ------------------------------------------


class DutyLogin(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("unit_id", "work_date", name="uq_duty_login_unit_day"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    work_date: date = Field(index=True)
    first_login_at: datetime = _ts(nullable=False)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")


class Notice(SQLModel, table=True):
    """A letter to a unit (提示函 …). Unique per kind, unit and period: sent once and only once."""

    __table_args__ = (sa.UniqueConstraint("kind", "unit_id", "period_key", name="uq_notice_once"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: NoticeKind = _enum(NoticeKind)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    period_key: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: str = Field(sa_column=Column(sa.Text, nullable=False))
    data: dict[str, Any] = _json()
    created_at: datetime = _ts(nullable=False)
    delivered_at: datetime | None = _ts()


class Outbox(SQLModel, table=True):
    """Messages to send, written in the same transaction as the change that causes them."""

    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: OutboxChannel = _enum(OutboxChannel)
    recipient: str = Field(max_length=200)
    payload: dict[str, Any] = _json()
    dedupe_key: str = Field(max_length=200, unique=True)
    status: OutboxStatus = _enum(OutboxStatus, default=OutboxStatus.PENDING)
    attempts: int = 0
    next_attempt_at: datetime = _ts(nullable=False)
    sent_at: datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_column=Column(sa.Text))
    created_at: datetime = _ts(nullable=False)


# Invite codes that bind a chat account to a Staff record (tickets.staff).
class StaffInvite(SQLModel, table=True):
    __tablename__ = "staff_invite"

    id: int | None = Field(default=None, primary_key=True)
    # sha256 of the normalised code: a leaked table does not leak usable codes.
    code_hash: str = Field(max_length=64, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    used_by: int | None = Field(default=None, sa_column=Column(sa.BigInteger, nullable=True))
    created_by: str = Field(default="", max_length=50)


class BindAttempt(SQLModel, table=True):
    """Every /bind try, kept for the rate limit and for the office's audit."""

    __tablename__ = "bind_attempt"
    __table_args__ = (sa.Index("ix_bind_attempt_account_at", "account_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(sa_column=Column(sa.BigInteger, nullable=False))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    success: bool = False
    staff_id: int | None = Field(default=None, foreign_key="staff.id")


# --- citizens' web channel (H5): phone verification and photos -------------------------


class PhoneVerification(SQLModel, table=True):
    """One SMS code sent to prove a citizen owns a phone (tickets.verification).

    Only a hash of the code is kept; every try counts, so a code cannot be guessed, and the
    rows are the rate limits' memory (per phone, per client address).
    """

    __tablename__ = "phone_verification"
    __table_args__ = (
        sa.Index("ix_phone_verification_phone_at", "phone", "created_at"),
        sa.Index("ix_phone_verification_address_at", "address", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20)
    # Where the request came from (client IP), for the per-address limit.
    address: str = Field(default="", max_length=64)
    # sha256 of salt + phone + code; the salt is per row.
    code_hash: str = Field(max_length=64)
    salt: str = Field(max_length=32)
    attempts: int = 0
    created_at: datetime = _ts(nullable=False)
    expires_at: datetime = _ts(nullable=False)
    verified_at: datetime | None = _ts()
    # sha256 of the proof handed to the browser once the code matched; spent by one filing.
    proof_hash: str | None = Field(default=None, max_length=64, unique=True)
    used_at: datetime | None = _ts()


class TicketPhoto(SQLModel, table=True):
    """A citizen's photo of a ticket: the file lives outside the database, named by the
    sha256 of its stored (metadata-stripped) bytes (tickets.photos)."""

    __tablename__ = "ticket_photo"
    __table_args__ = (sa.UniqueConstraint("ticket_id", "sha256", name="uq_ticket_photo"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    content_type: str = Field(max_length=32)
    size: int
    width: int
    height: int
    created_at: datetime = _ts(nullable=False)


# --- 政企通 policy specialists and 市长信箱 letters (tickets.enterprise, tickets.mailbox) ---------


class PolicySpecialist(SQLModel, table=True):
    """One line of the 政企通 register: a staff member of a unit who answers enterprises on
    one policy area (seed 002: 44 specialists of 23 units). Rows are never deleted: a
    specialist who leaves is deactivated, so old tickets still name who served them."""

    __tablename__ = "policy_specialist"
    __table_args__ = (sa.UniqueConstraint("staff_id", "policy_area", name="uq_policy_specialist"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    policy_area: str = Field(max_length=50, index=True)
    active: bool = True
    created_at: datetime = _ts(nullable=False)
    created_by: str = Field(default="", max_length=50)
    deactivated_at: datetime | None = _ts()
    deactivated_by: str = Field(default="", max_length=50)


class EnterpriseRequest(SQLModel, table=True):
    """What makes a ticket an enterprise's (涉企诉求): who the enterprise is and which policy
    area it asks about; the specialist it was routed to, one-to-one."""

    __tablename__ = "enterprise_request"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    # 统一社会信用代码 (GB 32100-2015), checked before storing; None when only a name was given.
    credit_code: str | None = Field(default=None, max_length=18, index=True)
    company_name: str = Field(default="", max_length=100)
    policy_area: str = Field(max_length=50)
    specialist_id: int | None = Field(default=None, foreign_key="policy_specialist.id", index=True)
    assigned_at: datetime | None = _ts()


class MailboxLetter(SQLModel, table=True):
    """A 市长信箱 letter: its ticket carries the body and the lifecycle; this row the title, the
    writer's consent to publication and, once published, the cleaned public version."""

    __tablename__ = "mailbox_letter"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    title: str = Field(max_length=100)
    publish_consent: bool = False
    published_at: datetime | None = _ts(index=True)
    public_title: str | None = Field(default=None, max_length=100)
    public_body: str | None = Field(default=None, sa_column=Column(sa.Text))
    public_reply: str | None = Field(default=None, sa_column=Column(sa.Text))


# --- routing labels -------------------------------------------------------------


class RoutingLabel(SQLModel, table=True):
    """One dispatch as a training label for the unit router (tickets.routing_labels).

    `unit_id` is the main unit the ticket belongs to as far as the office knows: the unit it
    dispatched to, corrected when an approved return sends the ticket elsewhere (the office's
    first choice stays in `dispatched_unit_id`). Co-units are kept apart: they help, they are
    not the unit a message is routed to. `suggested` is what the router showed, best first."""

    __tablename__ = "routing_label"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    dispatched_at: datetime = _ts(nullable=False, index=True)
    text: str = Field(sa_column=Column(sa.Text, nullable=False))
    dispatched_unit_id: int = Field(foreign_key="unit.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    co_unit_ids: list[int] = Field(default_factory=list, sa_column=Column(sa.JSON, nullable=False))
    # [{"unit_id": 3, "name": "区住建局", "confidence": 0.61}, ...]; empty when nothing was suggested.
    suggested: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(sa.JSON, nullable=False))
    first_taken: bool = False
    # "keywords" (cold start), "model:<n>" (a promoted model), "" (no router was wired).
    model_version: str = Field(default="", max_length=32)
    corrected_at: datetime | None = _ts()
