"""Letters of the hotline office to the units (提示函, 《工作提示函》, weekly supervision
lists): rendered from the templates in tickets/templates as Markdown, stored as a
Notice (once and only once per kind, unit and period), pushed to both handlers of the
unit through the outbox, and turned into a .docx document from the stored Markdown
whenever someone needs the file (rendering 2,000 documents in the job itself would take a
minute; the stored Markdown is the letter, the .docx its printable form).

Also the 10-day handling-days statistics, whose output is the 《工作提示函》.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import jinja2
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tickets import letter_texts as lt
from tickets.calendar import days_open
from tickets.clock import local
from tickets.context import Rules
from tickets.db import insert_for
from tickets.enums import WITH_UNIT_STATUSES, NoticeKind, UnitKind
from tickets.errors import NotFound, ValidationFailed
from tickets.messaging import MessageKind, message, staff_address, summary, tell_office
from tickets.models import Notice, Staff, Ticket, Unit
from tickets.outbox import enqueue_many
from tickets.policy import Period, PeriodUnit
from tickets.queries import local_day_start, unit_handlers
from tickets.rows import select_columns

log = logging.getLogger(__name__)

SUMMARY_CHARS = 40
# Enough content to make a masked summary; the rest of a 5,000-character text stays in the database.
CONTENT_PREFIX = 200


# --- rendering ----------------------------------------------------------------------


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: one line, no column separator."""
    return " ".join(str(value).split()).replace("|", "｜")


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("tickets", "templates"),
    autoescape=False,  # Markdown, not HTML; table cells go through the `cell` filter
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
_env.filters["cell"] = md_cell


def render_markdown(template: str, **context: Any) -> str:
    return _env.get_template(f"{template}.md.j2").render(**context)


def short_summary(content: str, limit: int = SUMMARY_CHARS) -> str:
    return summary(content, limit)


_TABLE_SEPARATOR = re.compile(r"^\|\s*-")


def markdown_to_docx(markdown: str, *, title: str, created: datetime) -> bytes:
    """The subset of Markdown our templates write (# title, **bold line**, pipe tables,
    paragraphs) as a Word document with a Chinese body font."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "宋体"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    properties = document.core_properties
    properties.title = title
    properties.author = lt.DEFAULT_OFFICE_NAME
    # Fixed properties: the same stored letter always gives the same document content.
    properties.created = properties.modified = local(created).replace(tzinfo=None)
    properties.last_modified_by = lt.DEFAULT_OFFICE_NAME
    properties.revision = 1

    blocks = [block.strip("\n") for block in re.split(r"\n\s*\n", markdown) if block.strip()]
    for block in blocks:
        lines = block.splitlines()
        if lines[0].startswith("# "):
            heading = document.add_heading(lines[0][2:].strip(), level=0)
            heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif lines[0].startswith("## "):
            document.add_heading(lines[0][3:].strip(), level=1)
        elif lines[0].startswith("|"):
            rows = [
                _cells(line) for line in lines if line.startswith("|") and not _TABLE_SEPARATOR.match(line)
            ]
            width = max(len(row) for row in rows)
            table = document.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                cells = table.rows[r].cells
                for c, text in enumerate(row):
                    cells[c].text = text
                    if r == 0:
                        for run in cells[c].paragraphs[0].runs:
                            run.bold = True
        else:
            text = " ".join(line.strip() for line in lines)
            bold = text.startswith("**") and text.endswith("**") and len(text) > 4
            paragraph = document.add_paragraph()
            paragraph.add_run(text[2:-2] if bold else text).bold = bold
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def notice_docx(notice: Notice) -> bytes:
    return markdown_to_docx(notice.body, title=notice.title, created=notice.created_at)


def docx_filename(notice: Notice, unit_name: str) -> str:
    return f"{notice.title}-{unit_name}-{notice.period_key}.docx"


# --- storing and sending ------------------------------------------------------------------


@dataclass
class LetterDraft:
    kind: NoticeKind
    unit_id: int
    unit_name: str
    period_key: str
    title: str
    body: str
    push_text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivery:
    """What a batch of letters did: created now, already there from an earlier run."""

    created: list[int] = field(default_factory=list)  # notice ids
    existing: int = 0
    messages: int = 0


async def insert_many(session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]], *,
                      conflict: Sequence[str], returning: Sequence[Any]) -> list[Any]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING for many rows as one cached executemany
    (SQLAlchemy batches it into multi-row statements): a 2,000-unit run must not take
    4,000 round trips. Returns the rows actually inserted."""
    if not rows:
        return []
    statement = (
        insert_for(session)(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(*returning)
    )
    connection = await session.connection()
    result = await connection.execute(statement, list(rows))
    return list(result.all())


async def store_and_send(session: AsyncSession, *, rules: Rules, drafts: Sequence[LetterDraft]) -> Delivery:
    """Store each letter unless its (kind, unit, period) exists, and push the new ones to
    both handlers of the unit. Runs in the caller's transaction: letter and pushes together."""
    delivery = Delivery()
    if not drafts:
        return delivery
    now = rules.now()
    by_key = {(d.unit_id, d.period_key): d for d in drafts}
    table = Notice.__table__  # type: ignore[attr-defined]
    inserted = await insert_many(
        session,
        table,
        [
            {
                "kind": d.kind,
                "unit_id": d.unit_id,
                "period_key": d.period_key,
                "title": d.title,
                "body": d.body,
                "data": d.data,
                "created_at": now,
            }
            for d in drafts
        ],
        conflict=["kind", "unit_id", "period_key"],
        returning=[table.c.id, table.c.unit_id, table.c.period_key],
    )
    created = sorted(((row[0], by_key[(row[1], row[2])]) for row in inserted), key=lambda pair: pair[0])
    delivery.created = [notice_id for notice_id, _ in created]
    delivery.existing = len(drafts) - len(created)
    handlers = await unit_handlers(session, unit_ids=sorted({d.unit_id for _, d in created}))
    by_unit: dict[int, list[Staff]] = {}
    for staff in handlers:
        by_unit.setdefault(staff.unit_id or 0, []).append(staff)
    messages: list[dict[str, Any]] = []
    for notice_id, draft in created:
        for staff in by_unit.get(draft.unit_id, []):
            to = staff_address(staff)
            if to is None:
                continue
            messages.append(message(MessageKind.NOTICE, to, cause=f"notice:{notice_id}", body={
                "notice_kind": draft.kind.value,
                "notice_id": notice_id,
                "unit_id": draft.unit_id,
                "title": draft.title,
                "text": draft.push_text,
                # The letter itself is the stored Notice: the notifier loads it by id and sends
                # its Markdown and/or tickets.letters.notice_docx(notice) as the file.
                "attachment": {"format": "docx", "notice_id": notice_id,
                               "filename": f"{draft.title}-{draft.unit_name}-{draft.period_key}.docx"},
            }))
    delivery.messages = await enqueue_many(session, messages=messages, now=now)
    return delivery


async def office_name(session: AsyncSession) -> str:
    name = (await session.exec(
        select(Unit.name).where(Unit.kind == UnitKind.OFFICE, Unit.active == True).order_by(col(Unit.id))  # noqa: E712
    )).first()
    return name or lt.DEFAULT_OFFICE_NAME


async def duty_units(session: AsyncSession) -> list[tuple[int, str]]:
    """Active handling units (the office itself is not checked)."""
    rows = await session.exec(
        select(Unit.id, Unit.name).where(Unit.kind != UnitKind.OFFICE, Unit.active == True)  # noqa: E712
        .order_by(col(Unit.id))
    )
    return [(int(unit_id), name) for unit_id, name in rows.all() if unit_id is not None]


# --- reading letters (CLI, API) -------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    id: int
    kind: NoticeKind
    unit_id: int | None
    unit: str
    period: str
    title: str
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "unit_id": self.unit_id, "unit": self.unit,
                "period": self.period, "title": self.title, "created_at": self.created_at.isoformat()}


async def list_notices(session: AsyncSession, *, unit: str | None = None, kind: NoticeKind | None = None,
                       period: str | None = None, limit: int = 200) -> list[NoticeRow]:
    """Newest first. `unit` is a unit's name or id; `period` a prefix of the period key
    ("2026-11" for the month's letters, "2026-11-23" for a day's)."""
    query = select_columns(Notice.id, Notice.kind, Notice.unit_id, Unit.name, Notice.period_key, Notice.title,
                   Notice.created_at).join(Unit, col(Unit.id) == col(Notice.unit_id), isouter=True)
    if unit:
        unit = unit.strip()
        query = query.where(col(Unit.id) == int(unit)) if unit.isdigit() else query.where(Unit.name == unit)
    if kind is not None:
        query = query.where(Notice.kind == kind)
    if period:
        escaped = period.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(Notice.period_key).like(f"{escaped}%", escape="\\"))
    query = query.order_by(col(Notice.created_at).desc(), col(Notice.id).desc()).limit(limit)
    rows = (await session.exec(query)).all()
    return [
        NoticeRow(id=r[0], kind=r[1], unit_id=r[2], unit=r[3] or "", period=r[4], title=r[5], created_at=r[6])
        for r in rows
    ]


async def get_notice(session: AsyncSession, *, notice_id: int) -> tuple[Notice, str]:
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(f"未找到编号为 {notice_id} 的函件。")
    unit = await session.get(Unit, notice.unit_id) if notice.unit_id is not None else None
    return notice, unit.name if unit is not None else ""


# --- 10-day handling-days statistics and 《工作提示函》 ---------------------------------------


@dataclass
class UnitStatistics:
    unit_id: int
    unit: str
    open: int
    warned: int
    over: int
    max_days: int


@dataclass
class StatisticsResult:
    as_of: date
    units: list[UnitStatistics]
    letters: Delivery
    failed: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "units_with_open_tickets": len(self.units),
            "open_tickets": sum(u.open for u in self.units),
            "tickets_over_warning": sum(u.warned for u in self.units),
            "tickets_over_limit": sum(u.over for u in self.units),
            "letters_created": len(self.letters.created),
            "letters_existing": self.letters.existing,
            "messages": self.letters.messages,
            "failed": len(self.failed),
        }


def _calendar_days(period: Period, name: str) -> int:
    if period.unit is not PeriodUnit.CALENDAR_DAYS:
        raise ValidationFailed(f"策略项 deadlines.{name} 须按自然日（calendar_days）计算。")
    return period.amount


def days_left_text(days_left: int) -> str:
    if days_left > 0:
        return lt.DAYS_LEFT.format(days=days_left)
    if days_left == 0:
        return lt.DAYS_DUE_TODAY
    return lt.DAYS_OVER.format(days=-days_left)


@dataclass
class HandlingDays:
    """The sweep's findings: per-unit figures, most tickets over the warning period first."""

    units: list[UnitStatistics]
    names: dict[int, str]


async def collect_handling_days(session: AsyncSession, *, rules: Rules, at: datetime) -> HandlingDays:
    """One aggregate over the open tickets in units' hands (covering index ix_ticket_status_unit_received)."""
    warning_days = _calendar_days(rules.policy.deadlines.warning, "warning")
    limit_days = _calendar_days(rules.policy.deadlines.limit, "limit")
    with_unit = sorted(WITH_UNIT_STATUSES)
    warn_cutoff = local_day_start(at, days_back=warning_days)
    over_cutoff = local_day_start(at, days_back=limit_days)
    names = {unit_id: name for unit_id, name in (await session.exec(select(Unit.id, Unit.name))).all()
             if unit_id is not None}
    # Grouped by status too, so the covering index serves it; the few rows are merged here.
    aggregate = await session.exec(
        select_columns(
            Ticket.main_unit_id,
            func.count(),
            func.sum(case((col(Ticket.received_at) < warn_cutoff, 1), else_=0)),
            func.sum(case((col(Ticket.received_at) < over_cutoff, 1), else_=0)),
            func.min(Ticket.received_at),
        )
        .where(col(Ticket.status).in_(with_unit))
        .group_by(col(Ticket.status), col(Ticket.main_unit_id))
    )
    merged: dict[int, UnitStatistics] = {}
    for unit_id, open_count, warned, over, oldest in aggregate.all():
        if unit_id is None:
            continue
        opened = days_open(oldest, at)
        current = merged.get(unit_id)
        if current is None:
            merged[unit_id] = UnitStatistics(
                unit_id=unit_id,
                unit=names.get(unit_id, str(unit_id)),
                open=int(open_count),
                warned=int(warned or 0),
                over=int(over or 0),
                max_days=opened,
            )
        else:
            current.open += int(open_count)
            current.warned += int(warned or 0)
            current.over += int(over or 0)
            current.max_days = max(current.max_days, opened)
    units = sorted(merged.values(), key=lambda u: (-u.warned, -u.open, u.unit_id))
    return HandlingDays(units=units, names=names)


async def tickets_over_warning(session: AsyncSession, *, rules: Rules,
                               at: datetime) -> dict[int, list[tuple[str, datetime, str]]]:
    """Per unit, the tickets open longer than the warning period: the rows of the letters."""
    warning_days = _calendar_days(rules.policy.deadlines.warning, "warning")
    warn_cutoff = local_day_start(at, days_back=warning_days)
    late_rows = await session.exec(
        select(Ticket.main_unit_id, Ticket.number, Ticket.received_at,
               func.substr(Ticket.content, 1, CONTENT_PREFIX))
        .where(col(Ticket.status).in_(sorted(WITH_UNIT_STATUSES)), col(Ticket.received_at) < warn_cutoff)
        .order_by(col(Ticket.main_unit_id), col(Ticket.received_at), col(Ticket.number))
    )
    late: dict[int, list[tuple[str, datetime, str]]] = {}
    for unit_id, number, received_at, content in late_rows.all():
        if unit_id is not None:
            late.setdefault(unit_id, []).append((number, received_at, content))
    return late


async def run_handling_days_statistics(
    session: AsyncSession, *, rules: Rules, at: datetime
) -> StatisticsResult:
    """Per unit: open tickets and their days open as of `at`; a 《工作提示函》 per unit
    listing every ticket open more than the warning period; the table to the office."""
    warning_days = _calendar_days(rules.policy.deadlines.warning, "warning")
    limit_days = _calendar_days(rules.policy.deadlines.limit, "limit")
    as_of = local(at).date()
    found = await collect_handling_days(session, rules=rules, at=at)
    units, names = found.units, found.names
    per_unit = await tickets_over_warning(session, rules=rules, at=at)

    office = await office_name(session)
    period_key = as_of.isoformat()
    result = StatisticsResult(as_of=as_of, units=units, letters=Delivery())
    drafts: list[LetterDraft] = []
    for unit_id, tickets in per_unit.items():
        unit = names.get(unit_id, str(unit_id))
        try:
            drafts.append(_warning_letter(unit_id=unit_id, unit=unit, tickets=tickets, at=at, office=office,
                                          period_key=period_key, warning_days=warning_days,
                                          limit_days=limit_days))
        except Exception:
            log.exception("handling_days_statistics: letter for unit %s (%s) failed; skipped", unit_id, unit)
            result.failed.append(unit)
    result.letters = await store_and_send(session, rules=rules, drafts=drafts)

    totals = result.counts()
    text = lt.OFFICE_STATISTICS.format(
        as_of=lt.cn_date(as_of), units=len(units), open=totals["open_tickets"], warning_days=warning_days,
        warned=totals["tickets_over_warning"], limit_days=limit_days, over=totals["tickets_over_limit"],
        letters=len(drafts),
    )
    top = [u for u in units if u.warned][:10]
    if top:
        text += lt.OFFICE_STATISTICS_TOP.format(
            warning_days=warning_days,
            lines="\n".join(lt.UNIT_COUNT_LINE.format(unit=u.unit, count=u.warned) for u in top),
        )
    table = render_markdown(
        "office_statistics", as_of=lt.cn_date(as_of), rows=units, total_open=totals["open_tickets"],
        total_warned=totals["tickets_over_warning"], total_over=totals["tickets_over_limit"],
        warning_days=warning_days, limit_days=limit_days,
    )
    await tell_office(session, rules=rules, key=f"handling_days_statistics:{period_key}", text=text,
                      markdown=table, kind=MessageKind.HANDLING_DAYS_STATISTICS)
    return result


def _warning_letter(*, unit_id: int, unit: str, tickets: list[tuple[str, datetime, str]], at: datetime,
                    office: str, period_key: str, warning_days: int, limit_days: int) -> LetterDraft:
    rows = []
    lines = []
    for index, (number, received_at, content) in enumerate(tickets, start=1):
        opened = days_open(received_at, at)
        row = {"number": number, "summary": short_summary(content),
               "received": local(received_at).date().isoformat(), "days_open": opened,
               "days_left": limit_days - opened}
        rows.append(row)
        # Rows are formatted here, not in a template loop: 35,000 rows a run, ten times faster.
        lines.append(lt.WARNING_ROW.format(index=index, number=number, summary=md_cell(row["summary"]),
                                           received=row["received"], days_open=opened,
                                           days_left=days_left_text(limit_days - opened)))
    as_of = local(at).date()
    body = render_markdown(
        "handling_days_warning", title=lt.TITLE_HANDLING_DAYS, unit=unit, as_of=lt.cn_date(as_of),
        count=len(rows), table_rows=lines, warning_days=warning_days, limit_days=limit_days, office=office,
        date=lt.cn_date(as_of),
    )
    return LetterDraft(
        kind=NoticeKind.HANDLING_DAYS_WARNING, unit_id=unit_id, unit_name=unit, period_key=period_key,
        title=lt.TITLE_HANDLING_DAYS, body=body,
        push_text=lt.PUSH_HANDLING_DAYS.format(unit=unit, count=len(rows), warning_days=warning_days,
                                               limit_days=limit_days),
        data={"as_of": as_of.isoformat(), "warning_days": warning_days, "limit_days": limit_days,
              "tickets": rows},
    )
