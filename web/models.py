"""Tables of the web adapter: staff passwords for the console and signed-in sessions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from tickets.models import UTCDateTime


class StaffPassword(SQLModel, table=True):
    """A staff member's console sign-in: a login name and an Argon2id hash (never the password)."""

    __tablename__ = "web_staff_password"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    login: str = Field(max_length=50, unique=True)
    password_hash: str = Field(max_length=255)
    # Wrong passwords since the last good one; at the limit the account is locked until locked_until.
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its sha256 is stored, so a
    leaked table opens no session. Kept in the database so that every instance sees a
    sign-out at once and a restart signs nobody out."""

    __tablename__ = "web_session"
    __table_args__ = (sa.Index("ix_web_session_subject", "subject", "subject_id"),)

    token_hash: str = Field(max_length=64, primary_key=True)
    # Who: "staff" (the console) or another area's kind of user (e.g. "citizen" for /h5/).
    subject: str = Field(max_length=20)
    subject_id: int
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
