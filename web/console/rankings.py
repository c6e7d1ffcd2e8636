"""考核排名: a scheme and a period, the score table and its chart, how often the unit router's
suggestions were right, and the files the office sends on (the bulletin's workbook and its
Markdown text), all computed by reports/ and tickets.routing_labels."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from integrations.state import RULES, SESSIONS
from reports.bulletin import build_bulletin
from reports.export import bulletin_tables, render_markdown, write_xlsx
from reports.indicators import unit_indicators
from reports.periods import Period, month, parse_period
from reports.rankings import load_ranking_rules, rank_units
from reports.schemes import (
    CompiledScheme,
    counts_from_indicators,
    load_scheme,
    score_units,
    shipped_scheme_names,
)
from tickets.clock import local
from tickets.errors import ValidationFailed
from tickets.routing_labels import router_quality
from web.console import charts, texts
from web.console.pages import office_only, page
from web.console.viewer import viewer

routes = web.RouteTableDef()
DEFAULT_SCHEME = "pudong-2024"


def _choice(request: web.Request) -> tuple[CompiledScheme, Period]:
    names = shipped_scheme_names()
    name = request.query.get("scheme", DEFAULT_SCHEME)
    if name not in names:  # only the shipped schemes: a query string never names a file
        raise ValidationFailed(texts.ERR_SCHEME.format(names="、".join(names)))
    raw = request.query.get("period", "").strip()[:30]
    try:
        period = parse_period(raw) if raw else month(local(request.app[RULES].now()).date())
    except ValueError:
        raise ValidationFailed(texts.ERR_PERIOD) from None
    return load_scheme(name), period


@routes.get("/console/rankings")
async def rankings(request: web.Request) -> web.Response:
    office_only(viewer(request))
    scheme, period = _choice(request)
    rules = request.app[RULES]
    async with request.app[SESSIONS]() as session:
        rows = await unit_indicators(session, period=period, limit_days=rules.policy.deadlines.limit.amount,
                                     call_evidence_since=rules.policy.contact.call_evidence_since)
        routing = await router_quality(
            session, start=period.first_day, end=period.last_day + timedelta(days=1)
        )
    table = score_units(scheme, counts_from_indicators(scheme, rows)) if rows else None
    ranking_rules = load_ranking_rules()
    ranked = rank_units(table, ranking_rules) if table else None
    chart = None
    if ranked is not None:
        chart = charts.unit_scores([(r.row.unit, float(r.row.score) if r.row.score is not None else None)
                                    for r in ranked.ordered], poor_below=float(ranking_rules.poor_below))
    return page(
        request,
        "rankings.html",
        "rankings",
        scheme=scheme,
        period=period,
        ranked=ranked,
        chart=chart,
        schemes=shipped_scheme_names(),
        poor_below=ranking_rules.poor_below,
        routing=routing if routing.overall.n else None,
        query=f"scheme={quote(scheme.spec.name)}&period={quote(period.key)}",
    )


async def _bulletin(request: web.Request) -> tuple[object, Period]:
    office_only(viewer(request))
    scheme, period = _choice(request)
    rules = request.app[RULES]
    bulletin = await build_bulletin(request.app[SESSIONS], kind="monthly", period=period, policy=rules.policy,
                                    scheme=scheme, rules=load_ranking_rules(), made_at=rules.now(),
                                    calendar=rules.calendar)
    return bulletin, period


def _download(body: bytes, name: str, content_type: str) -> web.Response:
    return web.Response(body=body, headers={
        "Content-Type": content_type, "Cache-Control": "no-store",
        "Content-Disposition": f"attachment; filename=\"bulletin.{name.rsplit('.', 1)[-1]}\"; "
                               f"filename*=UTF-8''{quote(name)}"})


@routes.get("/console/rankings/bulletin.xlsx")
async def bulletin_xlsx(request: web.Request) -> web.Response:
    bulletin, period = await _bulletin(request)

    def write() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = write_xlsx(bulletin_tables(bulletin), Path(folder) / "bulletin.xlsx")  # type: ignore[arg-type]
            return path.read_bytes()

    body = await asyncio.to_thread(write)
    return _download(body, texts.BULLETIN_FILE.format(period=period.key, ext="xlsx"),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@routes.get("/console/rankings/bulletin.md")
async def bulletin_markdown(request: web.Request) -> web.Response:
    bulletin, period = await _bulletin(request)
    text = render_markdown(bulletin, bulletin_tables(bulletin), chart_names={})  # type: ignore[arg-type]
    return _download(text.encode(), texts.BULLETIN_FILE.format(period=period.key, ext="md"),
                     "text/markdown; charset=utf-8")
