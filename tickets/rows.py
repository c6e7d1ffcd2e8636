"""Two typed helpers for reading rows, so the type checker sees what the database guarantees.

SQLModel declares every primary key `int | None` (None until the INSERT), and types `select`
for at most four columns; both are narrower facts at the places that use these helpers."""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel import select
from sqlmodel.sql.expression import Select


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Stored) -> int:
    """The primary key of a row already flushed or loaded. A None here is a bug (a row used
    as a reference before its INSERT), so it fails loudly instead of writing a NULL key."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it before referring to it")
    return row.id


def select_columns(*columns: Any) -> Select[*tuple[Any, ...]]:
    """`select` of any number of columns, rows typed as tuples of Any (sqlmodel's own overloads
    stop at four columns; the runtime object is the same)."""
    statement: Select[*tuple[Any, ...]] = select(*columns)
    return statement
