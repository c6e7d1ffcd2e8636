"""双呼 call evidence: the platform's call records (call_record) and, on the ticket, when the
calls proved the office's brief contact and the unit's first contact

Revision ID: 0010
Revises: h5_tables
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tickets.models

revision: str = "0010"
down_revision: str | None = "h5_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("calling_unit_id", sa.Integer(), nullable=False),
        sa.Column("calling_staff", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("callee_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("dialed_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hung_up_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.Enum("answered", "no_answer", "busy", "refused", name="calloutcome",
                                     native_enum=False, length=32), nullable=False),
        sa.Column("recording_ref", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("received_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["calling_unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_id"),
    )
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        batch_op.create_index("ix_call_record_ticket_dialed", ["ticket_id", "dialed_at"], unique=False)
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("brief_contact_proven_at", tickets.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("first_contact_proven_at", tickets.models.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("first_contact_proven_at")
        batch_op.drop_column("brief_contact_proven_at")
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        batch_op.drop_index("ix_call_record_ticket_dialed")
    op.drop_table("call_record")
