"""Bulletin charts as PNG (matplotlib, Agg, no pyplot global state): volume trend,
category mix and unit ranking. Labels are Chinese, so the CJK font of reports.fonts is used."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from reports import texts
from reports.fonts import cjk_font_family

BLUE, GREEN, RED, PALE_RED, GREY = "#2f6db5", "#2e8b57", "#c0392b", "#e6a39b", "#8c8c8c"
DPI = 110
LAYOUT: Final = "constrained"


@contextmanager
def _style() -> Iterator[None]:
    family = cjk_font_family()
    params: dict[RcKeyType, Any] = {
        "font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
    }
    with matplotlib.rc_context(params):
        yield


def volume_trend(days: Sequence[tuple[date, int]], path: Path, *, title: str) -> Path:
    with _style():
        fig = Figure(figsize=(9, 3.6), layout=LAYOUT)
        ax = fig.subplots()
        xs = list(range(len(days)))
        values = [n for _, n in days]
        ax.bar(xs, values, color=BLUE, width=0.7)
        if values:
            mean = sum(values) / len(values)
            ax.axhline(
                mean, color=GREY, linestyle="--", linewidth=1, label=texts.CHART_MEAN.format(mean=mean)
            )
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        step = max(1, -(-len(days) // 11))
        ax.set_xticks(xs[::step], [f"{d.month}/{d.day}" for d, _ in days][::step])
        ax.set_ylabel(texts.CHART_TICKETS)
        ax.set_title(title)
        fig.savefig(path, dpi=DPI)
    return path


def category_mix(categories: Sequence[tuple[str, int]], path: Path, *, title: str, top: int = 10) -> Path:
    items = [(c or texts.NO_CATEGORY, n) for c, n in categories]
    shown = items[:top]
    if rest := sum(n for _, n in items[top:]):
        shown.append((texts.CHART_OTHER, rest))
    total = sum(n for _, n in items) or 1
    with _style():
        fig = Figure(figsize=(8, 0.45 * max(len(shown), 3) + 1.2), layout=LAYOUT)
        ax = fig.subplots()
        labels = [c for c, _ in shown][::-1]
        values = [n for _, n in shown][::-1]
        bars = ax.barh(labels, values, color=BLUE)
        for bar, value in zip(bars, values, strict=True):
            ax.text(
                bar.get_width(),
                bar.get_y() + bar.get_height() / 2,
                f" {value}件 ({value / total:.1%})",
                va="center",
            )
        ax.set_xlim(0, max(values or [1]) * 1.3)
        ax.set_xlabel(texts.CHART_TICKETS)
        ax.set_title(title)
        fig.savefig(path, dpi=DPI)
    return path


def unit_ranking(scores: Sequence[tuple[str, Decimal]], path: Path, **options: Any) -> Path:
    with _style():
        ranking_figure(scores, **options).savefig(path, dpi=DPI)
    return path


def ranking_figure(
    scores: Sequence[tuple[str, Decimal]],
    *,
    title: str,
    best: set[str],
    poor: set[str],
    threshold: Decimal | None,
    below_line: set[str] = frozenset(),  # type: ignore[assignment]
    not_ranked: int = 0,
    top: int = 20,
) -> Figure:
    """Ranked units as bars from 0: the colour says in which table a unit stands (表一 best,
    表二 poor), units below the poor line but beyond 表二's length in a paler red; the
    legend names only the colours some bar has."""
    ordered = sorted(scores, key=lambda s: (-s[1], s[0]))
    if len(ordered) > top:
        # Keep both ends: the best and the worst are what the bulletin talks about.
        half = top // 2
        ordered = ordered[:half] + ordered[-(top - half) :]
    kinds = [
        (GREEN, texts.CHART_BEST, best),
        (RED, texts.CHART_POOR, poor),
        (PALE_RED, texts.CHART_BELOW_LINE, below_line),
    ]

    def colour(name: str) -> str:
        return next((c for c, _, members in kinds if name in members), BLUE)

    with _style():
        fig = Figure(figsize=(8, 0.38 * max(len(ordered), 3) + 1.4), layout=LAYOUT)
        ax = fig.subplots()
        names = [n for n, _ in ordered][::-1]
        values = [float(s) for _, s in ordered][::-1]
        colours = [colour(n) for n in names]
        bars = ax.barh(names, values, color=colours)
        for bar, (_, score) in zip(bars, ordered[::-1], strict=True):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {score}", va="center")
        # From 0: a cut axis makes a 10-point gap look like a factor of two.
        ax.set_xlim(0, max([100.0, *values]) + 8)
        if threshold is not None:
            ax.axvline(
                float(threshold),
                color=RED,
                linestyle="--",
                linewidth=1,
                label=texts.CHART_THRESHOLD.format(threshold=threshold),
            )
        handles = [Patch(color=c, label=label) for c, label, _ in kinds if c in colours]
        if BLUE in colours and handles:
            handles.append(Patch(color=BLUE, label=texts.CHART_OTHERS))
        ax.legend(
            handles=[*handles, *ax.get_legend_handles_labels()[0]],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
        )
        xlabel = texts.CHART_SCORE
        if not_ranked:
            xlabel += "\n" + texts.CHART_NOT_RANKED.format(n=not_ranked)
        ax.set_xlabel(xlabel)
        ax.set_title(title)
    return fig
