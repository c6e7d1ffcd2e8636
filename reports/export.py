"""Write a bulletin as Markdown, XLSX (one sheet per table, set up for printing) and PNG charts.

The tables are built once (`bulletin_tables`) and rendered to both formats, so the Markdown
and the workbook can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports import charts, texts
from reports.bulletin import (
    Bulletin,
    basic_paragraphs,
    enterprise_paragraph,
    made_at_text,
    mailbox_paragraphs,
    pct,
    ranking_paragraph,
    requirements,
)
from reports.linkage import (
    DeputyList,
    DeputyReport,
    WhistleReport,
    deputy_list_paragraph,
    deputy_paragraph,
    whistle_paragraph,
)
from reports.schemes import ScoreRow
from tickets.clock import local
from tickets.privacy import mask_text
from tickets.routing_labels import Acceptance


@dataclass(frozen=True)
class Rate:
    """A rate cell: a percentage in Markdown, a number with a % format in Excel."""

    value: Fraction | None


Cell = str | int | Decimal | Rate | date


@dataclass(frozen=True)
class Table:
    sheet: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)  # printed under the table


def _or(value: Decimal | None, dash: str) -> Cell:
    return dash if value is None else value


def _units_notes(b: Bulletin) -> list[str]:
    assert b.table is not None and b.rankings is not None
    notes = []
    if any(r.not_applicable for r in b.table.units):
        notes.append(texts.NOTE_NOT_APPLICABLE)
    if b.rankings.insufficient:
        notes.append(texts.NOTE_INSUFFICIENT.format(n=b.rules.rank_min_volume))
    return notes


@dataclass(frozen=True)
class BulletinFiles:
    markdown: Path
    xlsx: Path
    charts: list[Path]


def _unit_rates(b: Bulletin, name: str) -> list[Cell]:
    unit = b.unit(name)
    if unit is None:
        return [Rate(None)] * 3
    return [
        Rate(unit.rate("completion_rate")),
        Rate(unit.rate("on_time_rate")),
        Rate(unit.rate("satisfaction_rate")),
    ]


def bulletin_tables(b: Bulletin) -> dict[str, Table]:
    ov = b.overview
    c = ov.counts
    # Both ways once the 双呼 platform is live (the rate above switches at its go-live).
    both_contact_rates: list[list[Cell]] = [
        ["先行联系率（按先行联系记录）", Rate(ov.rate("first_contact_button_rate"))],
        ["先行联系率（按双呼通话记录）", Rate(ov.rate("first_contact_call_rate"))],
    ]
    basic_rows: list[list[Cell]] = [
        ["受理诉求", ov.received],
        ["平台直接答复", ov.direct_answered],
        ["直接答复率", Rate(ov.direct_answer_rate)],
        ["派单办理", ov.dispatched],
        ["退回来源单位", ov.sent_back],
        ["来源平台撤回", ov.recalled],
        ["尚待派单", ov.waiting],
        ["应办理", c["due"]],
        ["已办理", c["done"]],
        ["办结率", Rate(ov.rate("completion_rate"))],
        ["按期办结", c["on_time"]],
        ["按期办结率", Rate(ov.rate("on_time_rate"))],
        ["超期办结", c["replied_late"]],
        ["超期未办结", c["overdue_open"]],
        ["返工", c["rework"]],
        ["返工率", Rate(ov.rate("rework_rate"))],
        ["先行联系率", Rate(ov.rate("first_contact_rate"))],
        *(both_contact_rates if b.policy.contact.call_evidence_since is not None else []),
        ["有效回访率", Rate(ov.rate("valid_callback_rate"))],
        ["满意率", Rate(ov.rate("satisfaction_rate"))],
        ["不满意率", Rate(ov.rate("dissatisfaction_rate"))],
        ["存电件（不计满意度）", c["archived"]],
    ]
    tables = {
        "basic": Table(texts.SHEET_BASIC, b.title, [texts.COL_ITEM, texts.COL_VALUE], basic_rows),
    }
    rate_headers = [texts.COL_COMPLETION, texts.COL_ON_TIME, texts.COL_SATISFACTION]
    if b.rankings is not None and b.table is not None:
        tables["best"] = Table(
            texts.SHEET_BEST,
            texts.TABLE_BEST.format(label=texts.best_label(b.rules.best_n)),
            [texts.COL_RANK, texts.COL_UNIT, texts.COL_VOLUME, *rate_headers, texts.COL_SCORE],
            [
                [
                    r.rank,
                    r.row.unit,
                    r.volume,
                    *_unit_rates(b, r.row.unit),
                    _or(r.row.score, texts.NOT_APPLICABLE_CELL),
                ]
                for r in b.rankings.best
            ],
        )
        tables["poor"] = Table(
            texts.SHEET_POOR,
            texts.TABLE_POOR,
            [texts.COL_NO, texts.COL_UNIT, texts.COL_VOLUME, *rate_headers, texts.COL_SCORE, texts.COL_WHY],
            [
                [
                    r.rank,
                    r.row.unit,
                    r.volume,
                    *_unit_rates(b, r.row.unit),
                    _or(r.row.score, texts.NOT_APPLICABLE_CELL),
                    r.why,
                ]
                for r in b.rankings.poor
            ],
        )
        scheme = b.table.scheme
        comp = [(i.name, i.label) for i, _ in scheme.components]
        places = scheme.spec.places
        na = texts.NOT_APPLICABLE_CELL

        def unit_row(rank: int | str, row: ScoreRow) -> list[Cell]:
            return (
                [
                    rank,
                    row.unit,
                    row.counts.get("received", 0),
                    *_unit_rates(b, row.unit),
                    *(_or(row.component_points(name, places), na) for name, _ in comp),
                    _or(row.score, na),
                ]
                + ([row.grade or na] if scheme.spec.grades else [])
            )

        by_name = {r.unit: r for r in b.table.units}
        tables["units"] = Table(
            texts.SHEET_UNITS,
            f"{texts.TABLE_ALL_UNITS}（{scheme.spec.title}）",
            [texts.COL_RANK, texts.COL_UNIT, texts.COL_VOLUME, *rate_headers, *(label for _, label in comp),
             texts.COL_SCORE]
            + ([texts.GRADE_HEADER] if scheme.spec.grades else []),
            [unit_row(r.rank, r.row) for r in b.rankings.ordered]
            + [unit_row(texts.INSUFFICIENT, by_name[name]) for name in b.rankings.insufficient],
            notes=_units_notes(b),
        )
    tables["poor_tickets"] = Table(
        texts.SHEET_POOR_TICKETS,
        texts.TABLE_POOR_TICKETS,
        [texts.COL_NO, texts.COL_NUMBER, texts.COL_CONTENT, texts.COL_UNIT, texts.COL_TIME, texts.COL_REASON],
        [
            [i, t.number, t.summary, t.unit, t.received_on, t.reason_text]
            for i, t in enumerate(b.poor_tickets, 1)
        ],
    )
    tables["hotspots"] = Table(
        texts.SHEET_HOTSPOTS,
        texts.SHEET_HOTSPOTS,
        [
            texts.COL_NO,
            texts.COL_CATEGORY,
            texts.COL_CONTENT,
            texts.COL_COUNT,
            texts.COL_CITIZENS,
            texts.COL_PERIOD,
            texts.COL_UNITS,
        ],
        [
            [
                i,
                h.category,
                h.summary,
                h.tickets,
                h.citizens,
                f"{local(h.first_at):%m-%d}—{local(h.last_at):%m-%d}",
                "、".join(h.units),
            ]
            for i, h in enumerate(b.hotspots, 1)
        ],
    )
    tables["repeats"] = Table(
        texts.SHEET_REPEATS,
        texts.SHEET_REPEATS,
        [
            texts.COL_NO,
            texts.COL_CITIZEN,
            texts.COL_CATEGORY,
            texts.COL_CONTENT,
            texts.COL_TIMES,
            texts.COL_UNITS,
        ],
        [
            [i, r.citizen, r.category, r.summary, r.tickets, "、".join(r.units)]
            for i, r in enumerate(b.repeats, 1)
        ],
    )
    total = ov.received or 1
    tables["categories"] = Table(
        texts.SHEET_CATEGORIES,
        texts.SHEET_CATEGORIES,
        [texts.COL_CATEGORY, texts.COL_COUNT, texts.COL_SHARE],
        [[cat or texts.NO_CATEGORY, n, Rate(Fraction(n, total))] for cat, n in ov.by_category],
    )
    tables["duty"] = Table(
        texts.SHEET_DUTY,
        texts.TABLE_DUTY,
        [
            texts.COL_UNIT,
            texts.COL_WORKDAYS,
            texts.COL_ON_TIME_LOGINS,
            texts.COL_MISSED,
            texts.COL_LOGIN_LETTERS,
            texts.COL_WARNING_LETTERS,
        ],
        [
            [r.unit, r.workdays, r.on_time, r.missed, r.login_letters, r.warning_letters]
            for r in b.duty
            if r.missed or r.login_letters or r.warning_letters
        ],
    )
    if b.enterprise is not None and b.enterprise.received:
        e = b.enterprise
        values: list[Cell] = [e.received, e.routed, e.dispatched, e.counts["due"], e.counts["done"],
                              Rate(e.rate("on_time_rate")), Rate(e.rate("satisfaction_rate")),
                              Rate(e.rate("resolution_rate"))]
        tables["enterprise"] = Table(
            texts.SHEET_ENTERPRISE,
            texts.SECTION_ENTERPRISE,
            [texts.COL_ITEM, texts.COL_VALUE],
            [[label, value] for label, value in zip(texts.ENTERPRISE_ROWS, values, strict=True)],
        )
    if b.mailbox is not None:
        na = texts.NOT_APPLICABLE_CELL

        def letter_row(row: ScoreRow) -> list[Cell]:
            c = row.counts
            return [
                row.unit,
                c["received"],
                c["due"],
                c["done"],
                Rate(row.indicators["completion_rate"]),
                c["on_time"],
                Rate(row.indicators["on_time_rate"]),
                c["rework"],
                Rate(row.indicators["rework_rate"]),
                c["satisfied"],
                Rate(row.indicators["satisfaction_rate"]),
                _or(row.score, na),
                row.grade or na,
            ]

        # Ordered as the seed's table: the most letters first.
        ordered = sorted(b.mailbox.units, key=lambda r: (-r.counts["received"], r.unit))
        tables["mailbox"] = Table(
            texts.SHEET_MAILBOX,
            texts.TABLE_MAILBOX.format(period=b.period.label),
            [
                texts.COL_UNIT,
                texts.COL_RECEIVED_LETTERS,
                texts.COL_LETTERS_DUE,
                texts.COL_DONE,
                texts.COL_COMPLETION,
                texts.COL_LETTERS_ON_TIME,
                texts.COL_ON_TIME,
                texts.COL_REWORK,
                texts.COL_REWORK_RATE,
                texts.COL_SATISFIED,
                texts.COL_MASS_SATISFACTION,
                texts.COL_INDEX,
                texts.COL_GRADE,
            ],
            [letter_row(r) for r in [*ordered, b.mailbox.total]],
        )
    tables["days"] = Table(
        texts.SHEET_DAYS, texts.SHEET_DAYS, [texts.COL_DAY, texts.COL_COUNT], [[d, n] for d, n in ov.by_day]
    )
    if b.whistles is not None:
        tables["whistles"] = whistle_table(b.whistles)
    if b.deputies is not None:
        tables["deputy_tickets"] = deputy_table(b.deputies)
    if b.deputy_list is not None:
        tables["deputy_list"] = deputy_list_table(b.deputy_list, title=texts.TABLE_DEPUTY_LIST)
    if b.routing is not None:
        def rates(acc: Acceptance) -> list[Cell]:
            return [acc.n, Rate(Fraction(acc.top1, acc.n)), Rate(Fraction(acc.top3, acc.n))]

        routing_headers = [
            texts.COL_ROUTING_WHAT,
            texts.COL_ROUTING_N,
            texts.COL_ROUTING_TOP1,
            texts.COL_ROUTING_TOP3,
        ]
        tables["routing"] = Table(
            texts.SHEET_ROUTING, texts.TABLE_ROUTING, routing_headers,
            [[week, *rates(acc)] for week, acc in b.routing.by_week.items()]
            + [[unit, *rates(acc)] for unit, acc in b.routing.by_unit.items()],
        )
    return tables


# --- 吹哨报到 and the deputies' linkage (reports.linkage) ---------------------------------------


def whistle_table(report: WhistleReport) -> Table:
    lines = [*report.lines, report.total] if report.lines else []
    return Table(
        texts.SHEET_WHISTLES,
        texts.TABLE_WHISTLES,
        [
            texts.COL_BLOWER,
            texts.COL_WHISTLES,
            texts.COL_SUMMONED,
            texts.COL_REPORTED_IN,
            texts.COL_REPORTED_ON_TIME,
            texts.COL_REPORT_IN_RATE,
            texts.COL_SOLVED_ASKED,
            texts.COL_SOLVED,
            texts.COL_SOLUTION,
        ],
        [
            [
                line.label,
                line.whistles,
                line.summoned,
                line.reported_in,
                line.on_time,
                Rate(line.on_time_rate),
                line.solved_asked,
                line.solved,
                Rate(line.solution_rate),
            ]
            for line in lines
        ],
    )


def deputy_table(report: DeputyReport) -> Table:
    c = report.counts
    return Table(
        texts.SHEET_DEPUTY_TICKETS, texts.TABLE_DEPUTY_TICKETS,
        [texts.COL_REFERRED, texts.COL_DUE, texts.COL_ON_TIME_COUNT, texts.COL_ON_TIME, texts.COL_EVALUATIONS,
         texts.COL_SATISFIED_COUNT, texts.COL_SATISFACTION],
        [[report.referred, c["due"], c["on_time"], Rate(report.rate("on_time_rate")), c["evaluations"],
          c["satisfied"] + c["basically_satisfied"], Rate(report.rate("satisfaction_rate"))]]
        if report.referred else [],
    )


def deputy_list_table(found: DeputyList, *, title: str) -> Table:
    return Table(
        texts.SHEET_DEPUTY_LIST, title,
        [texts.COL_NO, texts.COL_NUMBER, texts.COL_RECEIVED_DAY, texts.COL_CATEGORY, texts.COL_UNIT,
         texts.COL_CONTENT, texts.COL_LIST_REASONS, texts.COL_TIMES, texts.COL_STATUS, texts.COL_DEPUTY],
        [[i, r.number, r.received, r.category, r.unit, r.summary, "、".join(r.reasons), r.times, r.status,
          r.deputy or texts.NOT_APPLICABLE_CELL] for i, r in enumerate(found.rows, 1)],
        notes=[texts.DEPUTY_LIST_RULES.format(rules="；".join(found.rules))],
    )


@dataclass(frozen=True)
class DeputyListFiles:
    markdown: Path
    xlsx: Path


def write_deputy_list(found: DeputyList, out_dir: Path, *, office: str) -> DeputyListFiles:
    """The month's list for the deputies' liaison, as Markdown and a one-sheet workbook."""
    out_dir.mkdir(parents=True, exist_ok=True)
    title = texts.DEPUTY_LIST_TITLE.format(office=office, period=found.period.title_label)
    table = deputy_list_table(found, title=title)
    stem = f"deputies-{found.period.key}"
    lines = [f"# {title}", "", deputy_list_paragraph(found), "", *_md_table(table, with_title=False)]
    markdown = out_dir / f"{stem}.md"
    markdown.write_text(mask_text("\n".join(lines)), encoding="utf-8")
    return DeputyListFiles(markdown, write_xlsx({"list": table}, out_dir / f"{stem}.xlsx"))


# --- Markdown -------------------------------------------------------------------------------


def _md_cell(value: Cell) -> str:
    if isinstance(value, Rate):
        return pct(value.value)
    if isinstance(value, date):
        return f"{value:%Y/%m/%d}"
    return str(value).replace("|", "｜").replace("\n", " ")


def _md_table(table: Table, *, with_title: bool = True) -> list[str]:
    lines = [f"**{table.title}**", ""] if with_title else []
    lines.append("| " + " | ".join(table.headers) + " |")
    lines.append("|" + "|".join("---" for _ in table.headers) + "|")
    if not table.rows:
        lines.append("| " + " | ".join([texts.NO_ROWS] + [""] * (len(table.headers) - 1)) + " |")
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    lines.append("")
    for note in table.notes:
        lines += [note, ""]
    return lines


def render_markdown(b: Bulletin, tables: dict[str, Table], chart_names: dict[str, str]) -> str:
    need = b.policy.supervision
    out = [f"# {b.title}", "", made_at_text(b), "", f"## {texts.SECTION_BASIC}", ""]
    for paragraph in basic_paragraphs(b):
        out += [paragraph, ""]
    for key in ("trend", "categories"):
        if key in chart_names:
            out += [f"![{key}]({chart_names[key]})", ""]
    out += [f"### {texts.SECTION_ENTERPRISE}", "", enterprise_paragraph(b), ""]
    out += [f"### {texts.SECTION_MAILBOX}", ""]
    for paragraph in mailbox_paragraphs(b):
        out += [paragraph, ""]
    if "mailbox" in tables:
        out += _md_table(tables["mailbox"])
    out += [f"## {texts.SECTION_RANKING}", "", ranking_paragraph(b), ""]
    for key in ("best", "poor", "poor_tickets"):
        if key in tables:
            out += _md_table(tables[key])
    if "routing" in tables:
        out += _md_table(tables["routing"])
    if "ranking" in chart_names:
        out += [f"![ranking]({chart_names['ranking']})", ""]
    out += [f"## {texts.SECTION_HOTSPOTS}", ""]
    if b.hotspots:
        out += [texts.HOTSPOTS_INTRO.format(k=len(b.hotspots)), ""]
        out += [
            f"{i}. "
            + texts.HOTSPOT_LINE.format(
                category=h.category or texts.NO_CATEGORY,
                summary=h.summary,
                citizens=h.citizens,
                tickets=h.tickets,
                units="、".join(h.units) or texts.NOT_DISPATCHED,
            )
            for i, h in enumerate(b.hotspots, 1)
        ]
        out.append("")
    else:
        out += [texts.NO_HOTSPOTS.format(n=need.hotspot_min_tickets), ""]
    if b.repeats:
        out += [texts.REPEATS_INTRO.format(n=need.repeat_complaints), ""]
        out += [
            f"{i}. "
            + texts.REPEAT_LINE.format(
                citizen=r.citizen,
                category=r.category,
                summary=r.summary,
                tickets=r.tickets,
                units="、".join(r.units) or texts.NOT_DISPATCHED,
            )
            for i, r in enumerate(b.repeats, 1)
        ]
        out.append("")
    else:
        out += [texts.NO_REPEATS.format(n=need.repeat_complaints), ""]
    out += [f"## {texts.SECTION_TYPICAL}", ""]
    if b.typical:
        out += [
            f"{i}. "
            + texts.TYPICAL_LINE.format(
                unit=t.unit, category=t.category, number=t.number, summary=t.summary, result=t.result
            )
            for i, t in enumerate(b.typical, 1)
        ]
        out.append("")
    else:
        out += [texts.NO_TYPICAL, ""]
    out += [f"## {texts.SECTION_LINKAGE}", ""]
    if b.whistles is not None:
        out += [whistle_paragraph(b.whistles), ""]
        if b.whistles.lines:
            out += _md_table(tables["whistles"])
    if b.deputies is not None:
        out += [deputy_paragraph(b.deputies), ""]
    if b.deputy_list is not None:
        out += [deputy_list_paragraph(b.deputy_list), ""]
    out += [f"## {texts.SECTION_REQUIREMENTS}", ""]
    out += [f"{i}. {line}" for i, line in enumerate(requirements(b), 1)]
    out.append("")
    if "units" in tables:
        out += _md_table(tables["units"])
    if b.duty:
        out += _md_table(tables["duty"])
    if b.deputy_list is not None and b.deputy_list.rows:
        out += _md_table(tables["deputy_list"])
    for spot in b.hotspots:
        out += ["---", "", spot.draft()]
    return "\n".join(out)


# --- XLSX -----------------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _text_width(value: object) -> int:
    text = _md_cell(value) if isinstance(value, Rate | date) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _write_sheet(ws: Worksheet, table: Table) -> None:
    ncols = len(table.headers)
    ws.cell(row=1, column=1, value=table.title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(ncols, 1))
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    for col, header in enumerate(table.headers, start=1):
        cell = ws.cell(row=2, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if not table.rows:
        cell = ws.cell(row=3, column=1, value=texts.NO_ROWS)
        cell.border = _BORDER
    for r, row in enumerate(table.rows, start=3):
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=col)
            if isinstance(value, Rate):
                cell.value = None if value.value is None else float(value.value)
                cell.number_format = "0.00%"
            elif isinstance(value, Decimal):
                cell.value = float(value)
                cell.number_format = "0.00"
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = "yyyy/mm/dd"
            else:
                cell.value = mask_text(value) if isinstance(value, str) else value  # as in the Markdown
            cell.border = _BORDER
            cell.alignment = Alignment(
                vertical="center", wrap_text=isinstance(value, str) and len(value) > 20
            )
    for col, header in enumerate(table.headers, start=1):
        widest = max([_text_width(header), *(_text_width(row[col - 1]) for row in table.rows)])
        ws.column_dimensions[get_column_letter(col)].width = min(max(widest + 2, 8), 50)
    for offset, note in enumerate(table.notes, start=len(table.rows) + 4):
        ws.cell(row=offset, column=1, value=mask_text(note))
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape" if ncols > 5 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = texts.FOOTER


def write_xlsx(tables: dict[str, Table], path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables.values():
        _write_sheet(wb.create_sheet(table.sheet), table)
    wb.save(path)
    return path


# --- everything -------------------------------------------------------------------------------


# Three charts, then the Markdown and the workbook.
WRITE_STEPS = 4


def write_bulletin(
    b: Bulletin, out_dir: Path, *, with_charts: bool = True, advance: Callable[[int], None] | None = None
) -> BulletinFiles:
    """The files of a bulletin; `advance(1)` after each of WRITE_STEPS steps (a progress bar)."""

    def step() -> None:
        if advance is not None:
            advance(1)

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{b.kind}-{b.period.key}"
    tables = bulletin_tables(b)
    chart_paths: dict[str, Path] = {}
    if with_charts:
        chart_paths["trend"] = charts.volume_trend(
            b.overview.by_day,
            out_dir / f"{stem}-trend.png",
            title=texts.CHART_TREND_TITLE.format(period=b.period.label),
        )
        step()
        chart_paths["categories"] = charts.category_mix(
            b.overview.by_category,
            out_dir / f"{stem}-categories.png",
            title=texts.CHART_CATEGORY_TITLE.format(period=b.period.label),
        )
        step()
        if b.table is not None and b.rankings is not None:
            chart_paths["ranking"] = charts.unit_ranking(
                [(r.row.unit, r.row.score) for r in b.rankings.ordered if r.row.score is not None],
                out_dir / f"{stem}-ranking.png",
                title=texts.CHART_RANKING_TITLE.format(scheme=b.table.scheme.spec.title),
                best={r.row.unit for r in b.rankings.best},
                poor={r.row.unit for r in b.rankings.poor},
                below_line=set(b.rankings.below_line),
                threshold=b.rules.poor_below,
                not_ranked=len(b.rankings.insufficient),
            )
        step()
    markdown = out_dir / f"{stem}.md"
    # The tables' summaries are masked where they are made; masking the whole document as
    # well is the last word for anything a future table or paragraph might quote (DOMAIN §8).
    markdown.write_text(
        mask_text(render_markdown(b, tables, {k: p.name for k, p in chart_paths.items()})), encoding="utf-8"
    )
    xlsx = write_xlsx(tables, out_dir / f"{stem}.xlsx")
    step()
    return BulletinFiles(markdown, xlsx, list(chart_paths.values()))
