"""Knowledge-base files: CSV, XLSX and YAML, read and written with the same columns.

The columns are fixed because other tools depend on them: `id,question,answer` and the
optional `alternatives` and `keywords` (several values separated by `|`), `unit`,
`category`; exports also write `active`. YAML holds a list of mappings with the same
keys, where alternatives and keywords may be lists.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.matcher import Entry

REQUIRED_COLUMNS = ("id", "question", "answer")
COLUMNS = ("id", "question", "answer", "alternatives", "keywords", "unit", "category", "active")
LIST_SEPARATOR = "|"
DEFAULT_KB_FILE = "default_kb.yaml"
_FALSE = {"0", "false", "no", "n", "否", "停用", "无效"}


class KBFileError(ValueError):
    """A knowledge-base file that cannot be read as it is; the message names the row."""


@dataclass(frozen=True, slots=True)
class EntryRecord(Entry):
    """An entry as a file row: the matcher's fields plus whether it is in service."""

    active: bool = True

    def to_entry(self) -> Entry:
        return Entry(
            id=self.id,
            question=self.question,
            answer=self.answer,
            alternatives=self.alternatives,
            keywords=self.keywords,
            unit=self.unit,
            category=self.category,
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets turn the id 101 into 101.0
    return str(value).strip()


def _list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else _text(value).split(LIST_SEPARATOR)
    return tuple(t for t in (_text(v) for v in items) if t)


def _bool(value: Any) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    return _text(value).lower() not in _FALSE


def records_from_rows(rows: Iterable[Mapping[str, Any]], *, source: str) -> list[EntryRecord]:
    """Validated records; the first bad row raises KBFileError naming row and column."""
    records: list[EntryRecord] = []
    seen: set[str] = set()
    for number, raw in enumerate(rows, start=2 if source.endswith((".csv", ".xlsx")) else 1):
        row = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
        if not any(_text(v) for v in row.values() if not isinstance(v, list)) and not any(
            isinstance(v, list) and v for v in row.values()
        ):
            continue  # blank spreadsheet line
        for column in REQUIRED_COLUMNS:
            if not _text(row.get(column)):
                raise KBFileError(f"{source}: row {number}: column {column!r} is empty or missing")
        record = EntryRecord(
            id=_text(row["id"]),
            question=_text(row["question"]),
            answer=_text(row["answer"]),
            alternatives=_list(row.get("alternatives")),
            keywords=_list(row.get("keywords")),
            unit=_text(row.get("unit")),
            category=_text(row.get("category")),
            active=_bool(row.get("active")),
        )
        if record.id in seen:
            raise KBFileError(f"{source}: row {number}: duplicate id {record.id!r}")
        seen.add(record.id)
        records.append(record)
    return records


def _check_header(header: Sequence[str], source: str) -> None:
    names = {h.strip().lower() for h in header if h}
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise KBFileError(f"{source}: missing column(s) {', '.join(missing)}")


def parse_csv(text: str, *, source: str = "kb.csv") -> list[EntryRecord]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    _check_header(reader.fieldnames or [], source)
    return records_from_rows(reader, source=source)


def parse_yaml(text: str, *, source: str = "kb.yaml") -> list[EntryRecord]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KBFileError(f"{source}: not valid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise KBFileError(f"{source}: expected a list of entries (mappings)")
    return records_from_rows(data, source=source)


def read_xlsx(path: Path) -> list[EntryRecord]:
    # Imported here: openpyxl (and the numpy it pulls in) adds a quarter of a second to
    # every start-up, and only imports and exports need it.
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise KBFileError(f"{path.name}: not a readable XLSX file: {exc}") from exc
    try:
        rows = book.active.iter_rows(values_only=True) if book.active else iter(())
        header = next(rows, None)
        if header is None:
            return []
        names = [_text(h) for h in header]
        _check_header(names, path.name)
        return records_from_rows(
            (dict(zip(names, values, strict=False)) for values in rows), source=path.name
        )
    finally:
        book.close()


def read_entries(path: Path | str) -> list[EntryRecord]:
    """Records of a .csv, .xlsx, .yaml or .yml file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KBFileError(f"{path.name}: not UTF-8 text") from exc
    if suffix == ".csv":
        return parse_csv(text, source=path.name)
    if suffix in {".yaml", ".yml"}:
        return parse_yaml(text, source=path.name)
    raise KBFileError(f"{path.name}: unsupported format (use .csv, .xlsx or .yaml)")


def _row(record: EntryRecord) -> list[str]:
    return [
        record.id,
        record.question,
        record.answer,
        LIST_SEPARATOR.join(record.alternatives),
        LIST_SEPARATOR.join(record.keywords),
        record.unit,
        record.category,
        "1" if record.active else "0",
    ]


def write_entries(path: Path | str, records: Sequence[EntryRecord]) -> None:
    """Write records in the format named by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            writer.writerows(_row(r) for r in records)
    elif suffix == ".xlsx":
        import openpyxl  # see read_xlsx

        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "knowledge_base"
        sheet.append(list(COLUMNS))
        for record in records:
            sheet.append(_row(record))
        book.save(path)
    elif suffix in {".yaml", ".yml"}:
        data = [
            {
                "id": r.id,
                "question": r.question,
                "alternatives": list(r.alternatives),
                "keywords": list(r.keywords),
                "answer": r.answer,
                "unit": r.unit,
                "category": r.category,
                "active": r.active,
            }
            for r in records
        ]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    else:
        raise KBFileError(f"{path.name}: unsupported format (use .csv, .xlsx or .yaml)")


def default_records() -> list[EntryRecord]:
    """The knowledge base shipped with the product."""
    text = resources.files("knowledge_base").joinpath("data", DEFAULT_KB_FILE).read_text(encoding="utf-8")
    return parse_yaml(text, source=DEFAULT_KB_FILE)


def active_entries(records: Iterable[EntryRecord]) -> list[Entry]:
    return [r.to_entry() for r in records if r.active]


__all__ = [
    "COLUMNS",
    "EntryRecord",
    "KBFileError",
    "active_entries",
    "default_records",
    "parse_csv",
    "parse_yaml",
    "read_entries",
    "write_entries",
]
