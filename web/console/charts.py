"""Apache ECharts options built on the server from the reports' numbers: the page carries
them as JSON in a data attribute and web/static/js/console.js draws them (no inline script)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from web.console import texts

BRAND = "#b4232a"
BLUE = "#1554a0"


def daily_volume(days: Sequence[tuple[date, int]]) -> dict[str, Any]:
    return {
        "title": {"text": texts.CHART_DAILY, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": [f"{d.month}/{d.day}" for d, _ in days]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "name": texts.CHART_RECEIVED, "data": [n for _, n in days],
                    "itemStyle": {"color": BLUE}}],
        "aria": {"enabled": True},
    }


def categories(rows: Sequence[tuple[str, int]]) -> dict[str, Any]:
    return {
        "title": {"text": texts.CHART_CATEGORIES, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "top": 30,
                    "data": [{"name": name or texts.UNCATEGORISED, "value": n} for name, n in rows]}],
        "aria": {"enabled": True},
    }


def unit_scores(
    rows: Sequence[tuple[str, float | None]], *, poor_below: float | None = None
) -> dict[str, Any]:
    """Horizontal bars, best at the top; the poor line drawn when the ranking rules have one."""
    ordered = list(reversed(rows))
    series: dict[str, Any] = {"type": "bar", "name": texts.CHART_SCORE,
                              "data": [None if s is None else round(s, 2) for _, s in ordered],
                              "barMaxWidth": 28, "itemStyle": {"color": BRAND},
                              "label": {"show": True, "position": "right"}}
    if poor_below is not None:
        series["markLine"] = {
            "symbol": "none",
            "data": [{"xAxis": poor_below, "name": texts.CHART_POOR_LINE}],
            "lineStyle": {"color": "#a15c00", "type": "dashed"},
            "label": {"formatter": texts.CHART_POOR_LINE},
        }
    return {
        "title": {"text": texts.CHART_SCORES, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 150, "right": 50, "top": 40, "bottom": 20},
        "xAxis": {"type": "value", "max": 100},
        "yAxis": {"type": "category", "data": [name for name, _ in ordered]},
        "series": [series],
        "aria": {"enabled": True},
    }
