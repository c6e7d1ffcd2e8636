"""knowledge base: questions without an answer (kb_miss), mined weekly for gaps

Revision ID: kb_misses
Revises: bot_tables
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tickets.models

revision: str = "kb_misses"
down_revision: str | None = "bot_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kb_miss",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", tickets.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("kb_miss", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kb_miss_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kb_miss", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kb_miss_created_at"))
    op.drop_table("kb_miss")
