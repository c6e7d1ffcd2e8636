"""Tables of the scheduler: one row per job run (idempotency, catch-up, reporting) and
the ledger of deadline reminders already sent (never the same reminder twice)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from tickets.models import Ticket, UTCDateTime


class RunOutcome(StrEnum):
    RUNNING = "running"
    DONE = "done"  # every item handled
    PARTIAL = "partial"  # done, but some units or tickets failed and were skipped (see counts/error)
    SKIPPED = "skipped"  # nothing to do at this due time (not a working day, not the first of the week…)
    FAILED = "failed"  # the run itself failed; a later catch-up within the grace may retry it
    MISSED = "missed"  # the service was down past the catch-up grace: reported, not made up
    ABANDONED = "abandoned"  # its instance died mid-run; a new leader took the due time over


class RunTrigger(StrEnum):
    SCHEDULED = "scheduled"
    CATCH_UP = "catch_up"
    MANUAL = "manual"  # `jobs run`: always runs; the letters themselves are still once only


class JobRun(SQLModel, table=True):
    __tablename__ = "job_run"
    # due_key is the due time for scheduled and catch-up runs (one run per due time) and
    # NULL for manual runs, which may repeat (NULLs never collide in a unique constraint).
    __table_args__ = (
        sa.UniqueConstraint("job", "due_key", name="uq_job_run_due"),
        sa.Index("ix_job_run_job_due", "job", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64)
    due_key: str | None = Field(default=None, max_length=40)
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    trigger: RunTrigger = Field(
        sa_column=Column(sa.Enum(RunTrigger, native_enum=False, length=16,
                                 values_callable=lambda e: [m.value for m in e]), nullable=False)
    )
    outcome: RunOutcome = Field(
        sa_column=Column(sa.Enum(RunOutcome, native_enum=False, length=16,
                                 values_callable=lambda e: [m.value for m in e]), nullable=False)
    )
    instance: str = Field(default="", max_length=100)
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    attempts: int = 1
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(sa.JSON, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(sa.Text))


class ReminderSent(SQLModel, table=True):
    """One row per reminder (kind, ticket, deadline) ever put into a digest."""

    __tablename__ = "reminder_sent"

    key: str = Field(primary_key=True, max_length=120)
    ticket_id: int = Field(index=True)
    kind: str = Field(max_length=32)
    sent_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


# Indexes on the ticket table that the sweeps need (the core has none on these columns);
# declared here so the scheduler's migration and create_all agree.
ticket_table = Ticket.__table__  # type: ignore[attr-defined]
IX_TICKET_STATUS_FIRST_CONTACT_DUE = sa.Index(
    "ix_ticket_status_first_contact_due", ticket_table.c.status, ticket_table.c.first_contact_due_at
)
IX_TICKET_STATUS_FEEDBACK_DUE = sa.Index(
    "ix_ticket_status_feedback_due", ticket_table.c.status, ticket_table.c.feedback_due_at
)
IX_TICKET_CALLBACK_AT = sa.Index("ix_ticket_callback_at", ticket_table.c.callback_at)
# Covering index of the 10-day statistics (per unit and status: count, oldest, over 25/30 days).
IX_TICKET_STATUS_UNIT_RECEIVED = sa.Index(
    "ix_ticket_status_unit_received",
    ticket_table.c.status,
    ticket_table.c.main_unit_id,
    ticket_table.c.received_at,
)
# The weekly supervision list: repeated complaints and supervised tickets among the open ones.
IX_TICKET_STATUS_REPEAT = sa.Index(
    "ix_ticket_status_repeat", ticket_table.c.status, ticket_table.c.repeat_count
)
IX_TICKET_STATUS_SUPERVISED = sa.Index("ix_ticket_status_supervised", ticket_table.c.status,
                                       ticket_table.c.supervised)
