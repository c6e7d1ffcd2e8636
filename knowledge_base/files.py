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
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from knowledge_base import texts
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


# Header names an office spreadsheet uses for our columns (compared after lowercasing).
HEADER_ALIASES = {
    "id": ("id", "编号", "序号", "条目编号", "问题编号"),
    "question": ("question", "问题", "标准问题", "标准问", "问题名称", "咨询问题"),
    "answer": ("answer", "答案", "回答", "答复", "标准答案", "答复内容", "解答"),
    "alternatives": ("alternatives", "相似问法", "相似问题", "扩展问", "其他问法"),
    "keywords": ("keywords", "关键词", "关键字"),
    "unit": ("unit", "单位", "责任单位", "承办单位", "部门", "责任部门"),
    "category": ("category", "分类", "类别", "类目", "所属分类"),
    "active": ("active", "启用", "是否启用", "状态"),
}
_ALIAS = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}
# What the database column holds; the longest answer is generous, a runaway cell is not.
LIMITS = {"id": 64, "question": 500, "answer": 20_000, "unit": 100, "category": 50}
HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a row cannot be imported, as an office worker finds it in the file."""

    source: str
    row: int
    column: str  # our column name (id, question, answer, unit…)
    reason: str
    header: str = ""  # the column's header as written in the file (编号, 责任单位…)
    letter: str = ""  # the spreadsheet column (A, B…), XLSX only

    def __str__(self) -> str:
        column = self.header or texts.COLUMN_LABELS.get(self.column, self.column)
        if self.letter:
            return texts.PROBLEM_IN_SHEET.format(
                source=self.source, row=self.row, letter=self.letter, column=column, reason=self.reason
            )
        return texts.PROBLEM.format(source=self.source, row=self.row, column=column, reason=self.reason)


# How a file heads each of our columns, per source: column -> (header as written, letter).
Headers = dict[str, tuple[str, str]]


@dataclass(frozen=True, slots=True)
class ReadResult:
    records: list[EntryRecord]
    problems: list[Problem]
    skipped_rows: int = 0  # rows left out because of a problem
    origins: list[tuple[str, int]] = field(default_factory=list)  # (source, row) of each record
    headers: dict[str, Headers] = field(default_factory=dict)  # per source

    def problem(self, source: str, row: int, column: str, reason: str) -> Problem:
        """A problem located as the office finds it in its file (header and column letter)."""
        header, letter = self.headers.get(source, {}).get(column, ("", ""))
        return Problem(source, row, column, reason, header, letter)


def column_name(header: Any) -> str:
    name = _text(header).lower().replace(" ", "")
    return _ALIAS.get(name, name)


def _blank(row: Mapping[str, Any]) -> bool:
    return not any(
        (isinstance(v, list) and v) or (not isinstance(v, list) and _text(v)) for v in row.values()
    )


def check_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    source: str,
    seen_ids: dict[str, tuple[str, int]] | None = None,
    seen_questions: dict[str, tuple[str, int]] | None = None,
    headers: Headers | None = None,
) -> ReadResult:
    """Every row checked; every problem listed (row, column, reason), none raised.

    A row with any problem is left out of `records`; the others are kept.
    """
    records: list[EntryRecord] = []
    problems: list[Problem] = []
    seen_ids = {} if seen_ids is None else seen_ids  # shared by the sheets of one workbook
    seen_questions = {} if seen_questions is None else seen_questions
    located = ReadResult([], [], headers={source: dict(headers or {})})

    def same_as(first: tuple[str, int]) -> str:
        where, row = first
        if where == source:
            return texts.SAME_ROW.format(row=row)
        return texts.SAME_ROW_ELSEWHERE.format(source=where, row=row)

    skipped = 0
    origins: list[tuple[str, int]] = []
    for number, raw in rows:
        row = {column_name(k): v for k, v in raw.items() if k is not None}
        if _blank(row):
            continue  # blank spreadsheet line
        found: list[Problem] = []
        for column in REQUIRED_COLUMNS:
            if not _text(row.get(column)):
                found.append(located.problem(source, number, column, texts.PROBLEM_EMPTY))
        for column, limit in LIMITS.items():
            value = _text(row.get(column))
            if len(value) > limit:
                reason = texts.PROBLEM_TOO_LONG.format(limit=limit, length=len(value))
                found.append(located.problem(source, number, column, reason))
        entry_id = _text(row.get("id"))
        if entry_id and entry_id in seen_ids:
            reason = texts.PROBLEM_DUPLICATE_ID.format(key=entry_id, same=same_as(seen_ids[entry_id]))
            found.append(located.problem(source, number, "id", reason))
        question = _text(row.get("question"))
        question_key = "".join(question.split())
        if question_key and question_key in seen_questions:
            reason = texts.PROBLEM_DUPLICATE_QUESTION.format(same=same_as(seen_questions[question_key]))
            found.append(located.problem(source, number, "question", reason))
        if found:
            problems.extend(found)
            skipped += 1
            continue
        seen_ids[entry_id] = (source, number)
        seen_questions[question_key] = (source, number)
        origins.append((source, number))
        records.append(
            EntryRecord(
                id=entry_id,
                question=question,
                answer=_text(row["answer"]),
                alternatives=_list(row.get("alternatives")),
                keywords=_list(row.get("keywords")),
                unit=_text(row.get("unit")),
                category=_text(row.get("category")),
                active=_bool(row.get("active")),
            )
        )
    return ReadResult(records, problems, skipped, origins, located.headers)


ROW_RANGES_SHOWN = 8


def _row_ranges(rows: Sequence[int]) -> str:
    spans: list[tuple[int, int]] = []
    for row in rows:
        if spans and row == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], row)
        else:
            spans.append((row, row))
    shown = [
        str(a) if a == b else texts.ROW_RANGE.format(first=a, last=b) for a, b in spans[:ROW_RANGES_SHOWN]
    ]
    more = texts.ROW_LIST_MORE if len(spans) > ROW_RANGES_SHOWN else ""
    return texts.ROW_LIST_SEPARATOR.join(shown) + more


def summarize(problems: Sequence[Problem]) -> list[str]:
    """The problems as lines to read: one per problem, except that the same reason in
    the same column of one sheet (a unit name on 58 rows) is one line with its rows."""
    groups: dict[tuple[str, str, str, str, str], list[Problem]] = {}
    for problem in problems:
        key = (problem.source, problem.column, problem.header, problem.letter, problem.reason)
        groups.setdefault(key, []).append(problem)
    lines = []
    for group in groups.values():
        first = group[0]
        if len(group) == 1:
            lines.append(str(first))
            continue
        column = first.header or texts.COLUMN_LABELS.get(first.column, first.column)
        rows = _row_ranges(sorted(p.row for p in group))
        template = texts.PROBLEM_ROWS_IN_SHEET if first.letter else texts.PROBLEM_ROWS
        lines.append(template.format(source=first.source, rows=rows, letter=first.letter, column=column,
                                     reason=first.reason, count=len(group)))
    return lines


def _raise_problems(result: ReadResult) -> list[EntryRecord]:
    if result.problems:
        shown = "\n".join(str(p) for p in result.problems[:50])
        more = len(result.problems) - 50
        raise KBFileError(shown + (f"\n… and {more} more" if more > 0 else ""))
    return result.records


def records_from_rows(rows: Iterable[Mapping[str, Any]], *, source: str) -> list[EntryRecord]:
    """Validated records; KBFileError lists every bad row (row and column)."""
    first = 2 if source.endswith((".csv", ".xlsx")) else 1
    return _raise_problems(check_rows(enumerate(rows, start=first), source=source))


def _check_header(header: Sequence[str], source: str) -> None:
    names = {column_name(h) for h in header if h}
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise KBFileError(f"{source}: missing column(s) {', '.join(missing)}")


def _header_index(rows: Sequence[Sequence[Any]]) -> int | None:
    """The first of the opening rows that names question and answer (titles, notes and
    blank lines above the header are common in office spreadsheets)."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {column_name(v) for v in row if _text(v)}
        if {"question", "answer"} <= names:
            return i
    return None


def _table(
    rows: list[list[Any]], source: str, *, letters: bool = False
) -> tuple[list[tuple[int, dict[str, Any]]], Headers] | None:
    """(1-based file row, mapping) for each data row, and how the file heads each column;
    None when no header is found."""
    index = _header_index(rows)
    if index is None:
        return None
    names = [column_name(h) if _text(h) else None for h in rows[index]]
    if "id" not in names:
        raise KBFileError(f"{source}: missing column(s) id")
    if letters:
        # Only spreadsheets have column letters, and openpyxl is loaded for them already.
        from openpyxl.utils import get_column_letter
    headers: Headers = {}
    for position, (name, header) in enumerate(zip(names, rows[index], strict=True), start=1):
        if name is not None and name not in headers:
            headers[name] = (_text(header), get_column_letter(position) if letters else "")
    out = []
    for offset, values in enumerate(rows[index + 1 :], start=index + 2):
        out.append((offset, {n: v for n, v in zip(names, values, strict=False) if n is not None}))
    return out, headers


def check_csv(text: str, *, source: str = "kb.csv") -> ReadResult:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    table = _table(rows, source)
    if table is None:
        _check_header(rows[0] if rows else [], source)
        return ReadResult([], [])
    return check_rows(table[0], source=source, headers=table[1])


def parse_csv(text: str, *, source: str = "kb.csv") -> list[EntryRecord]:
    return _raise_problems(check_csv(text, source=source))


def check_yaml(text: str, *, source: str = "kb.yaml") -> ReadResult:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KBFileError(f"{source}: not valid YAML: {exc}") from exc
    if data is None:
        return ReadResult([], [])
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise KBFileError(f"{source}: expected a list of entries (mappings)")
    return check_rows(enumerate(data, start=1), source=source)


def parse_yaml(text: str, *, source: str = "kb.yaml") -> list[EntryRecord]:
    return _raise_problems(check_yaml(text, source=source))


def check_xlsx(path: Path) -> ReadResult:
    """Every sheet with a recognisable header, merged cells filled with their value."""
    # Imported here: openpyxl (and the numpy it pulls in) adds a quarter of a second to
    # every start-up, and only imports and exports need it.
    import openpyxl

    try:
        # Not read-only: merged ranges are only known in the full mode.
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a broken file
        raise KBFileError(f"{path.name}: not a readable XLSX file: {exc}") from exc
    records: list[EntryRecord] = []
    problems: list[Problem] = []
    origins: list[tuple[str, int]] = []
    skipped = 0
    tables = 0
    seen_ids: dict[str, tuple[str, int]] = {}
    seen_questions: dict[str, tuple[str, int]] = {}
    headers: dict[str, Headers] = {}
    try:
        for sheet in book.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            for merged in sheet.merged_cells.ranges:
                value = rows[merged.min_row - 1][merged.min_col - 1]
                for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                    for c in range(merged.min_col - 1, min(merged.max_col, len(rows[r]))):
                        rows[r][c] = value
            source = texts.SHEET_SOURCE.format(file=path.name, sheet=sheet.title)
            table = _table(rows, source, letters=True)
            if table is None:
                continue  # a notes or summary sheet
            tables += 1
            result = check_rows(
                table[0], source=source, seen_ids=seen_ids, seen_questions=seen_questions, headers=table[1]
            )
            headers.update(result.headers)
            records.extend(result.records)
            origins.extend(result.origins)
            problems.extend(result.problems)
            skipped += result.skipped_rows
    finally:
        book.close()
    if not tables and book.worksheets and any(ws.max_row > 1 for ws in book.worksheets):
        raise KBFileError(f"{path.name}: missing column(s) {', '.join(REQUIRED_COLUMNS)}")
    return ReadResult(records, problems, skipped, origins, headers)


def read_xlsx(path: Path) -> list[EntryRecord]:
    return _raise_problems(check_xlsx(path))


def check_entries(path: Path | str) -> ReadResult:
    """Valid records and every problem of a .csv, .xlsx, .yaml or .yml file.

    KBFileError only for a file that cannot be read at all (format, encoding, header)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return check_xlsx(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KBFileError(f"{path.name}: not UTF-8 text") from exc
    if suffix == ".csv":
        return check_csv(text, source=path.name)
    if suffix in {".yaml", ".yml"}:
        return check_yaml(text, source=path.name)
    raise KBFileError(f"{path.name}: unsupported format (use .csv, .xlsx or .yaml)")


def read_entries(path: Path | str) -> list[EntryRecord]:
    """Records of a .csv, .xlsx, .yaml or .yml file; KBFileError lists every problem."""
    return _raise_problems(check_entries(path))


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
    "Problem",
    "ReadResult",
    "active_entries",
    "check_entries",
    "default_records",
    "parse_csv",
    "parse_yaml",
    "read_entries",
    "summarize",
    "write_entries",
]
