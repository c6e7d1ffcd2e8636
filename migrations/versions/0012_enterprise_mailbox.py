"""政企通 policy specialists (policy_specialist), enterprise requests (enterprise_request) and
市长信箱 letters (mailbox_letter)

Revision ID: 0012
Revises: h5_tables (the file 0009_h5_tables.py; the merger re-chains the revisions of issue 18)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tickets.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "policy_specialist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("policy_area", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("deactivated_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deactivated_by", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("staff_id", "policy_area", name="uq_policy_specialist"),
    )
    with op.batch_alter_table("policy_specialist", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_specialist_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_specialist_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_specialist_policy_area"), ["policy_area"], unique=False)

    op.create_table(
        "enterprise_request",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.Column("company_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("policy_area", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("specialist_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["specialist_id"], ["policy_specialist.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    with op.batch_alter_table("enterprise_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprise_request_credit_code"), ["credit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_enterprise_request_specialist_id"), ["specialist_id"], unique=False)

    op.create_table(
        "mailbox_letter",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("publish_consent", sa.Boolean(), nullable=False),
        sa.Column("published_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("public_title", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("public_body", sa.Text(), nullable=True),
        sa.Column("public_reply", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    with op.batch_alter_table("mailbox_letter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mailbox_letter_published_at"), ["published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mailbox_letter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mailbox_letter_published_at"))
    op.drop_table("mailbox_letter")
    with op.batch_alter_table("enterprise_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprise_request_specialist_id"))
        batch_op.drop_index(batch_op.f("ix_enterprise_request_credit_code"))
    op.drop_table("enterprise_request")
    with op.batch_alter_table("policy_specialist", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_specialist_policy_area"))
        batch_op.drop_index(batch_op.f("ix_policy_specialist_staff_id"))
        batch_op.drop_index(batch_op.f("ix_policy_specialist_unit_id"))
    op.drop_table("policy_specialist")
