"""Tables of 吹哨报到 and of the deputies' linkage (tickets.whistles, tickets.deputies).

A whistle belongs to a ticket and closes with it; each unit it summons has one row that
records its 报到 and, once and only once each, the reminder and the report of a late one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from tickets.enums import UnitKind
from tickets.models import _enum, _json, _ts


class Whistle(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    # Who blew it: the unit (and its kind at that moment, for the report "by who blew them").
    unit_id: int = Field(foreign_key="unit.id", index=True)
    unit_kind: UnitKind = _enum(UnitKind)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    reason: str = Field(sa_column=Column(sa.Text, nullable=False))
    blown_at: datetime = _ts(nullable=False, index=True)
    report_in_due_at: datetime = _ts(nullable=False)
    # The on-site meeting (现场会): date, place, attendees and decisions, as recorded.
    meeting: dict[str, Any] = _json()
    closed_at: datetime | None = _ts()


class WhistleSummons(SQLModel, table=True):
    """A unit summoned by a whistle: its 报到, and the sweep's reminder and report of a late one."""

    __tablename__ = "whistle_summons"
    __table_args__ = (sa.UniqueConstraint("whistle_id", "unit_id", name="uq_whistle_summons"),
                      sa.Index("ix_whistle_summons_waiting", "reported_in_at", "due_at"))

    id: int | None = Field(default=None, primary_key=True)
    whistle_id: int = Field(foreign_key="whistle.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    due_at: datetime = _ts(nullable=False)
    reported_in_at: datetime | None = _ts()
    reported_in_by: int | None = Field(default=None, foreign_key="staff.id")
    reported_in_via: str = Field(default="", max_length=16)  # bot, api, web
    reminded_at: datetime | None = _ts()
    late_reported_at: datetime | None = _ts()


class DeputyReferral(SQLModel, table=True):
    """A ticket referred by a people's deputy (人大代表转办): flagged once, reported apart."""

    __tablename__ = "deputy_referral"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    deputy: str = Field(max_length=50)
    station: str = Field(default="", max_length=100)  # 人大代表联系点
    referred_at: datetime = _ts(nullable=False, index=True)
