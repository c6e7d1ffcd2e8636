"""Tables of the knowledge base: entries, citizens' feedback per entry, and a change log.

The change log exists because offices are ranked by how many knowledge-base entries
each unit adds or changes per month (seed 001); `month` is the Shanghai calendar month
of the change, stored so both databases can group by it without date functions.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Column, Field, SQLModel

from tickets.models import UTCDateTime


class ChangeAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    # The shipped default knowledge base loaded into an empty database: not a unit's work.
    SEEDED = "seeded"


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _string_list() -> Any:
    return Field(default_factory=list, sa_column=Column(sa.JSON, nullable=False))


class KnowledgeEntryBase(SQLModel):
    key: str = Field(max_length=64, unique=True, index=True, description="the file's `id` column")
    question: str = Field(max_length=500)
    alternatives: list[str] = _string_list()
    keywords: list[str] = _string_list()
    answer: str = Field(sa_column=Column(sa.Text, nullable=False))
    unit: str = Field(default="", max_length=100, index=True)
    category: str = Field(default="", max_length=50)
    active: bool = Field(default=True, index=True)


class KnowledgeEntry(KnowledgeEntryBase, table=True):
    __tablename__ = "kb_entry"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    updated_by: str = Field(default="", max_length=100)


class KnowledgeFeedback(SQLModel, table=True):
    """One citizen's "解决了" / "没解决" on an answer."""

    __tablename__ = "kb_feedback"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="kb_entry.id", index=True)
    solved: bool
    # The citizen's question, masked (phones, names) and cut, to see why an answer failed.
    query: str = Field(default="", max_length=500)
    channel: str = Field(default="", max_length=32)
    created_at: datetime = _ts(index=True)


class KnowledgeChange(SQLModel, table=True):
    """One change of one entry: who, when, which unit, what kind."""

    __tablename__ = "kb_change"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="kb_entry.id", index=True)
    entry_key: str = Field(max_length=64)
    unit: str = Field(default="", max_length=100, index=True)
    action: ChangeAction = Field(
        sa_column=Column(
            sa.Enum(
                ChangeAction,
                native_enum=False,
                length=32,
                values_callable=lambda e: [m.value for m in e],
            ),
            nullable=False,
        )
    )
    month: str = Field(max_length=7, index=True, description="YYYY-MM in Asia/Shanghai")
    changed_at: datetime = _ts()
    changed_by: str = Field(default="", max_length=100)


class KnowledgeMiss(SQLModel, table=True):
    """A citizen's question the knowledge base could not answer: the material of the
    weekly gap list (with the "没解决" of kb_feedback)."""

    __tablename__ = "kb_miss"

    id: int | None = Field(default=None, primary_key=True)
    # Masked (phones, names) and cut, like kb_feedback.query.
    query: str = Field(max_length=500)
    channel: str = Field(default="", max_length=32)
    created_at: datetime = _ts(index=True)


class KnowledgeHit(SQLModel, table=True):
    """An entry given to a citizen as the answer (directly or picked from 猜你想问): the
    usage behind the week's hot questions."""

    __tablename__ = "kb_hit"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="kb_entry.id", index=True)
    channel: str = Field(default="", max_length=32)
    created_at: datetime = _ts(index=True)


class RoutingModelStatus(StrEnum):
    PROMOTED = "promoted"  # the one the router uses now (at most one row)
    REFUSED = "refused"  # trained, did not beat the model in use on the held-out weeks
    RETIRED = "retired"  # was in use, replaced by a later promotion or rolled back


class RoutingModel(SQLModel, table=True):
    """A unit-routing model trained on the office's own dispatch labels
    (knowledge_base.classify.retrain). Kept in the database, not a folder, so that every
    instance of a scaled-out service routes with the same model; the file bytes are the
    classifier's own format (header + pickle), compressed."""

    __tablename__ = "routing_model"

    id: int | None = Field(default=None, primary_key=True)  # the version the office names
    created_at: datetime = _ts()
    trigger: str = Field(max_length=16)  # "weekly" | "manual"
    # The weekly job's week (ISO, e.g. "2026-W49"): one model per week however often it runs.
    week_key: str | None = Field(default=None, max_length=16, unique=True)
    status: RoutingModelStatus = Field(
        sa_column=Column(sa.Enum(RoutingModelStatus, native_enum=False, length=16,
                                 values_callable=lambda e: [m.value for m in e]), nullable=False, index=True))
    window_start: datetime = _ts()
    window_end: datetime = _ts()  # training labels are before this; held-out ones from here on
    holdout_end: datetime = _ts()
    n_train: int = 0
    n_holdout: int = 0
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(sa.JSON, nullable=False))
    libraries: dict[str, str] = Field(default_factory=dict, sa_column=Column(sa.JSON, nullable=False))
    format_version: int = 0
    sha256: str = Field(max_length=64)
    payload: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    promoted_at: datetime | None = _ts(nullable=True)
    note: str = Field(default="", sa_column=Column(sa.Text, nullable=False, default=""))
