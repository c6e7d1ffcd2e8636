"""吹哨报到 and the deputies' linkage: whistle, whistle_summons, deputy_referral

Revision ID: 0011
Revises: h5_tables (the revision of 0009_h5_tables.py; the merger re-chains)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tickets.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, tickets.models.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "whistle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_kind", sa.Enum("office", "department", "street", "enterprise", "community", "utility",
                                       name="unitkind", native_enum=False, length=32), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        _ts("blown_at", nullable=False),
        _ts("report_in_due_at", nullable=False),
        sa.Column("meeting", sa.JSON(), nullable=False),
        _ts("closed_at"),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("whistle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_whistle_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_whistle_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_whistle_blown_at"), ["blown_at"], unique=False)

    op.create_table(
        "whistle_summons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("whistle_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        _ts("due_at", nullable=False),
        _ts("reported_in_at"),
        sa.Column("reported_in_by", sa.Integer(), nullable=True),
        sa.Column("reported_in_via", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        _ts("reminded_at"),
        _ts("late_reported_at"),
        sa.ForeignKeyConstraint(["whistle_id"], ["whistle.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["reported_in_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("whistle_id", "unit_id", name="uq_whistle_summons"),
    )
    with op.batch_alter_table("whistle_summons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_whistle_summons_whistle_id"), ["whistle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_whistle_summons_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index("ix_whistle_summons_waiting", ["reported_in_at", "due_at"], unique=False)

    op.create_table(
        "deputy_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("deputy", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("station", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        _ts("referred_at", nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    with op.batch_alter_table("deputy_referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deputy_referral_referred_at"), ["referred_at"], unique=False)


def downgrade() -> None:
    op.drop_table("deputy_referral")
    op.drop_table("whistle_summons")
    op.drop_table("whistle")
