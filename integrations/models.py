"""Tables of the integration layer: API clients, processed upstream events and nonces,
telephony calls. Timestamps are UTC (tickets.models.UTCDateTime)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from tickets.enums import Role
from tickets.models import UTCDateTime


def _ts(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any = dict) -> Any:
    return Field(default_factory=default, sa_column=Column(sa.JSON, nullable=False))


class ApiKey(SQLModel, table=True):
    """One API client. Only a SHA-256 of the secret is stored: keys are 256-bit random
    strings, so a slow password hash would add latency to every request and no safety."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    # The public part of the key ("hk_<prefix>_<secret>"), used to find the row.
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    scopes: list[str] = _json(list)
    # Whom the client acts as in the workflow: the office, a unit's handler, or the system.
    role: Role = Field(
        default=Role.SYSTEM,
        sa_column=Column(
            sa.Enum(Role, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]),
            nullable=False,
        ),
    )
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    created_at: datetime = _ts(nullable=False)
    revoked_at: datetime | None = _ts()


class UpstreamEvent(SQLModel, table=True):
    """An event of the upstream platform that was applied, with the answer we gave:
    a re-delivery gets the same answer and changes nothing."""

    __tablename__ = "upstream_event"

    event_id: str = Field(primary_key=True, max_length=100)
    event_type: str = Field(max_length=32)
    external_number: str = Field(max_length=64, index=True)
    ticket_number: str | None = Field(default=None, max_length=20)
    response: dict[str, Any] = _json()
    received_at: datetime = _ts(nullable=False)


class UpstreamNonce(SQLModel, table=True):
    """Nonces of signed upstream requests seen inside the signature window (replay guard)."""

    __tablename__ = "upstream_nonce"

    nonce: str = Field(primary_key=True, max_length=100)
    seen_at: datetime = _ts(nullable=False, index=True)


class TelephonyCall(SQLModel, table=True):
    """One call-centre call seen by agent assist; at most one ticket per call."""

    __tablename__ = "telephony_call"

    call_id: str = Field(primary_key=True, max_length=100)
    agent_id: str = Field(max_length=64)
    # Private (DOMAIN §8): kept to file the ticket; masked in every log and response.
    caller_phone: str | None = Field(default=None, max_length=20)
    transcript: str = Field(sa_column=Column(sa.Text, nullable=False))
    assist: dict[str, Any] = _json()
    ticket_number: str | None = Field(default=None, max_length=20)
    created_at: datetime = _ts(nullable=False)
    updated_at: datetime = _ts(nullable=False)
