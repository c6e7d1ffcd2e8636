"""Tables of the Telegram adapter."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from tickets.models import UTCDateTime


class ProcessedUpdate(SQLModel, table=True):
    """Update ids already taken by a webhook call: Telegram re-delivers after timeouts, and
    several instances may share one webhook, so the dedupe must outlive any process."""

    __tablename__ = "bot_processed_update"

    bot_id: int = Field(sa_column=Column(sa.BigInteger, primary_key=True, autoincrement=False))
    update_id: int = Field(sa_column=Column(sa.BigInteger, primary_key=True, autoincrement=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class TicketAttachment(SQLModel, table=True):
    """Photos a citizen sent with a request, kept as Telegram file ids."""

    __tablename__ = "bot_ticket_attachment"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(default="photo", max_length=20)
    file_id: str = Field(max_length=255)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
