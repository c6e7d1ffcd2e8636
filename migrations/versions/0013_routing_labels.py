"""unit routing that learns from the office: a label per dispatch (routing_label) and the
versioned models trained on them (routing_model)

Revision ID: 0013
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tickets.models

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "routing_label",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("dispatched_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("dispatched_unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("co_unit_ids", sa.JSON(), nullable=False),
        sa.Column("suggested", sa.JSON(), nullable=False),
        sa.Column("first_taken", sa.Boolean(), nullable=False),
        sa.Column("model_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("corrected_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.ForeignKeyConstraint(["dispatched_unit_id"], ["unit.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    with op.batch_alter_table("routing_label", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_label_dispatched_at"), ["dispatched_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_routing_label_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "routing_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trigger", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("week_key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("status", sa.Enum("promoted", "refused", "retired", name="routingmodelstatus",
                                    native_enum=False, length=16), nullable=False),
        sa.Column("window_start", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_end", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("holdout_end", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("n_train", sa.Integer(), nullable=False),
        sa.Column("n_holdout", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("libraries", sa.JSON(), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("promoted_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("week_key"),
    )
    with op.batch_alter_table("routing_model", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_model_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("routing_model", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_model_status"))
    op.drop_table("routing_model")
    with op.batch_alter_table("routing_label", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_label_unit_id"))
        batch_op.drop_index(batch_op.f("ix_routing_label_dispatched_at"))
    op.drop_table("routing_label")
