"""reports: index on ticket.received_at (every report selects tickets by receipt time)

Revision ID: reports_indexes
Revises: knowledge_base_tables
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "reports_indexes"
down_revision: str | None = "knowledge_base_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_received_at")
