"""citizens' web channel (H5): one-time SMS codes (phone_verification), ticket photos and
knowledge-base usage (kb_hit, the week's hot questions)

Revision ID: h5_tables
Revises: web_tables
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tickets.models

revision: str = "h5_tables"
down_revision: str | None = "web_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phone_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("salt", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("proof_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("used_at", tickets.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("proof_hash"),
    )
    with op.batch_alter_table("phone_verification", schema=None) as batch_op:
        batch_op.create_index("ix_phone_verification_phone_at", ["phone", "created_at"], unique=False)
        batch_op.create_index("ix_phone_verification_address_at", ["address", "created_at"], unique=False)

    op.create_table(
        "ticket_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "sha256", name="uq_ticket_photo"),
    )
    with op.batch_alter_table("ticket_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_photo_ticket_id"), ["ticket_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_photo_sha256"), ["sha256"], unique=False)

    op.create_table(
        "kb_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["kb_entry.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("kb_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_hit_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kb_hit_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kb_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_hit_created_at"))
        batch_op.drop_index(batch_op.f("ix_kb_hit_entry_id"))
    op.drop_table("kb_hit")
    with op.batch_alter_table("ticket_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_photo_sha256"))
        batch_op.drop_index(batch_op.f("ix_ticket_photo_ticket_id"))
    op.drop_table("ticket_photo")
    with op.batch_alter_table("phone_verification", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_verification_address_at")
        batch_op.drop_index("ix_phone_verification_phone_at")
    op.drop_table("phone_verification")
