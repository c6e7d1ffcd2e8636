"""Reading the office's labelled history: CSV or XLSX, text and label columns, row filters."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from knowledge_base.classify.errors import DataFileError, MissingColumns
from knowledge_base.classify.texts import (
    ERR_BAD_WHERE,
    ERR_FILE_FORMAT,
    ERR_FILE_NOT_FOUND,
    ERR_FILE_UNREADABLE,
    ERR_MISSING_COLUMNS,
    ERR_NO_ROWS_AFTER_FILTER,
)

# Joins several text columns (title, detail): a line break keeps words from fusing.
TEXT_JOINER = "\n"


@dataclass(frozen=True, slots=True)
class LabelledTexts:
    texts: list[str]
    labels: list[str]


def parse_columns(spec: str) -> list[str]:
    """ "title,detail" → ["title", "detail"]."""
    return [c.strip() for c in spec.split(",") if c.strip()]


def parse_where(conditions: Sequence[str]) -> dict[str, str]:
    """["split=test"] → {"split": "test"}; several conditions must all hold."""
    out: dict[str, str] = {}
    for condition in conditions:
        column, sep, value = condition.partition("=")
        if not sep or not column.strip():
            raise DataFileError(ERR_BAD_WHERE.format(where=condition))
        out[column.strip()] = value.strip()
    return out


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV (UTF-8, with or without BOM) or the first sheet of an XLSX."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(ERR_FILE_NOT_FOUND.format(path=path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
                return list(reader.fieldnames or []), rows
        if suffix in (".xlsx", ".xlsm"):
            book = load_workbook(path, read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                values = sheet.iter_rows(values_only=True)
                header = [str(h).strip() if h is not None else "" for h in next(values, ())]
                rows = [
                    {h: ("" if v is None else str(v)) for h, v in zip(header, row, strict=False) if h}
                    for row in values
                ]
            finally:
                book.close()
            return header, rows
    except (UnicodeDecodeError, csv.Error, InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise DataFileError(ERR_FILE_UNREADABLE.format(path=path, reason=exc)) from exc
    raise DataFileError(ERR_FILE_FORMAT.format(suffix=suffix or path.name))


def load_labelled(
    path: Path,
    *,
    text_cols: Sequence[str],
    label_col: str | None,
    where: dict[str, str] | None = None,
) -> LabelledTexts:
    """Joined text columns and labels of the rows matching `where`; rows with no text are skipped."""
    header, rows = read_rows(path)
    needed = [*text_cols, *([label_col] if label_col else []), *(where or {})]
    missing = [c for c in dict.fromkeys(needed) if c not in header]
    if missing:
        raise MissingColumns(
            ERR_MISSING_COLUMNS.format(
                path=path, missing="、".join(missing), present="、".join(h for h in header if h)
            ),
            missing,
        )
    if where:
        rows = [r for r in rows if all(r.get(k, "").strip() == v for k, v in where.items())]
        if not rows:
            shown = ",".join(f"{k}={v}" for k, v in where.items())
            raise DataFileError(ERR_NO_ROWS_AFTER_FILTER.format(where=shown))
    texts: list[str] = []
    labels: list[str] = []
    for row in rows:
        text = TEXT_JOINER.join(p for p in (row.get(c, "").strip() for c in text_cols) if p)
        if not text:
            continue
        texts.append(text)
        labels.append(row.get(label_col, "").strip() if label_col else "")
    return LabelledTexts(texts, labels)
