"""scheduler: job runs, reminder ledger, indexes for the deadline sweeps

Revision ID: scheduler_jobs
Revises: integrations_tables
Create Date: 2026-11-23 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tickets.models

revision: str = "scheduler_jobs"
down_revision: str | None = "integrations_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("due_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("due_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.Enum("scheduled", "catch_up", "manual", name="runtrigger", native_enum=False,
                                     length=16), nullable=False),
        sa.Column("outcome", sa.Enum("running", "done", "partial", "skipped", "failed", "missed", "abandoned",
                                     name="runoutcome", native_enum=False, length=16), nullable=False),
        sa.Column("instance", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("started_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job", "due_key", name="uq_job_run_due"),
    )
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.create_index("ix_job_run_job_due", ["job", "due_at"], unique=False)

    op.create_table(
        "reminder_sent",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("sent_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_sent_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_sent_sent_at"), ["sent_at"], unique=False)

    # The sweeps select by these columns; without them each sweep reads the whole ticket table.
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_status_first_contact_due", ["status", "first_contact_due_at"], unique=False)
        batch_op.create_index("ix_ticket_status_feedback_due", ["status", "feedback_due_at"], unique=False)
        batch_op.create_index("ix_ticket_callback_at", ["callback_at"], unique=False)
        batch_op.create_index("ix_ticket_status_unit_received", ["status", "main_unit_id", "received_at"],
                              unique=False)
        batch_op.create_index("ix_ticket_status_repeat", ["status", "repeat_count"], unique=False)
        batch_op.create_index("ix_ticket_status_supervised", ["status", "supervised"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_status_supervised")
        batch_op.drop_index("ix_ticket_status_repeat")
        batch_op.drop_index("ix_ticket_status_unit_received")
        batch_op.drop_index("ix_ticket_callback_at")
        batch_op.drop_index("ix_ticket_status_feedback_due")
        batch_op.drop_index("ix_ticket_status_first_contact_due")
    with op.batch_alter_table("reminder_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_sent_sent_at"))
        batch_op.drop_index(batch_op.f("ix_reminder_sent_ticket_id"))
    op.drop_table("reminder_sent")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_index("ix_job_run_job_due")
    op.drop_table("job_run")
