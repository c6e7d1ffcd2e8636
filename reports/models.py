"""Database objects the reports need. No tables of their own: every figure is computed from
the ticket tables. What they do need is an index on the receipt time, because every report
selects "the tickets received in the period" (bench/report_bench.py)."""

from __future__ import annotations

import sqlalchemy as sa

from tickets.models import Ticket

# Declared here so that create_all (tests, fresh installs) and the migration
# migrations/versions/reports_indexes.py build the same schema.
ticket_received_at_index = sa.Index("ix_ticket_received_at", Ticket.__table__.c.received_at)  # type: ignore[attr-defined]
