"""`classify train | eval | predict | rules` — formats fixed by issue 4; other tools parse them.
`classify retrain | models list|promote|rollback | quality` — the unit router trained on the
office's own dispatches, in the configured database (retrain.py, tickets.routing_labels)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge_base.classify.dataset import load_labelled, parse_columns, parse_where
from knowledge_base.classify.evaluate import evaluate
from knowledge_base.classify.model import TOP_K, TextClassifier, TrainConfig
from knowledge_base.classify.request_type import classify_request_type
from knowledge_base.classify.retrain import list_models, promote, retrain, rollback
from knowledge_base.classify.routing import KeywordRouter
from knowledge_base.classify.texts import (
    CLI_MODELS_HEADER,
    CLI_MODELS_LINE,
    CLI_NO_CUES,
    CLI_NO_MODELS,
    CLI_NO_ROUTE,
    CLI_PREDICT_HEADER,
    CLI_PREDICT_LINE,
    CLI_PROMOTED,
    CLI_QUALITY_HEADER,
    CLI_QUALITY_LINE,
    CLI_RETRAIN_PROGRESS,
    CLI_ROLLED_BACK,
    CLI_RULES_ROUTE,
    CLI_RULES_ROUTE_ITEM,
    CLI_RULES_TYPE,
    CLI_RULES_URGENCY,
    CLI_TRAIN_PROGRESS,
    CLI_TRAINED,
    KEYWORD_RULES,
    MODEL_STATUS,
)
from knowledge_base.classify.urgency import assess_urgency
from tickets.clock import SHANGHAI
from tickets.context import Rules
from tickets.db import create_engine, session_factory, upgrade_database
from tickets.errors import HotlineError
from tickets.routing_labels import quality_as_dict, quality_period, router_quality
from tickets.settings import Settings
from tickets.terminal import progress
from tickets.texts import REQUEST_TYPE, URGENCY, fmt_local

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

_WHERE_HELP = "only rows where COLUMN equals VALUE (COLUMN=VALUE), repeatable, e.g. split=test"


def _clear_errors(func: F) -> F:
    """Domain errors become one readable line and exit code 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HotlineError as exc:
            raise click.ClickException(exc.message) from exc

    return wrapper  # type: ignore[return-value]


@click.group("classify")
def classify_group() -> None:
    """Request type, urgency and category/unit routing."""


@classify_group.command("train")
@click.option("--data", "data", required=True, type=click.Path(path_type=Path), help="CSV or XLSX")
@click.option("--text-col", required=True, help="text column(s), comma-separated; joined in order")
@click.option("--label-col", required=True)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="model file to write")
@click.option("--where", "where", multiple=True, help=_WHERE_HELP)
@click.option(
    "--words",
    is_flag=True,
    help="jieba words instead of the fast dictionary match: about as accurate, half the speed",
)
@_clear_errors
def train_cmd(
    data: Path, text_col: str, label_col: str, out: Path, where: Sequence[str], words: bool
) -> None:
    """Train a category/unit model from labelled history."""
    # Three stages (read, fit, save): the fit is one library call, so the bar moves per stage
    # and the elapsed time shows that it is still working.
    with progress(CLI_TRAIN_PROGRESS, total=3) as advance:
        rows = load_labelled(
            data, text_cols=parse_columns(text_col), label_col=label_col, where=parse_where(where)
        )
        advance(1)
        started = time.perf_counter()
        model = TextClassifier.train(rows.texts, rows.labels, TrainConfig.with_words() if words else None)
        advance(1)
        model.save(out)
        advance(1)
    click.echo(
        CLI_TRAINED.format(
            n=model.info.n_train, k=len(model.labels), seconds=time.perf_counter() - started, path=out
        )
    )


@classify_group.command("eval")
@click.option("--model", "model_path", required=True, type=click.Path(path_type=Path))
@click.option("--data", "data", required=True, type=click.Path(path_type=Path), help="CSV or XLSX")
@click.option("--text-col", required=True, help="text column(s), comma-separated; joined in order")
@click.option("--label-col", required=True)
@click.option("--where", "where", multiple=True, help=_WHERE_HELP)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@_clear_errors
def eval_cmd(
    model_path: Path, data: Path, text_col: str, label_col: str, where: Sequence[str], as_json: bool
) -> None:
    """Evaluate a model: accuracy, macro-F1, per-class figures, messages per second."""
    model = TextClassifier.load(model_path)
    rows = load_labelled(
        data, text_cols=parse_columns(text_col), label_col=label_col, where=parse_where(where)
    )
    report = evaluate(model, rows.texts, rows.labels)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    click.echo(
        f"n={report.n} accuracy={report.accuracy:.4f} macro_f1={report.macro_f1:.4f} "
        f"msgs_per_s={report.msgs_per_s:.0f}"
    )
    for label, m in report.per_class.items():
        click.echo(f"  {label}\tP={m.precision:.4f} R={m.recall:.4f} F1={m.f1:.4f} n={m.support}")


@classify_group.command("predict")
@click.option("--model", "model_path", required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print a JSON list of {label, confidence}")
@click.argument("text")
@_clear_errors
def predict_cmd(model_path: Path, text: str, as_json: bool) -> None:
    """Top 3 labels with calibrated confidences for one message."""
    model = TextClassifier.load(model_path)
    top = model.predict_top(text, TOP_K)
    if as_json:
        click.echo(
            json.dumps([{"label": s.label, "confidence": s.confidence} for s in top], ensure_ascii=False)
        )
        return
    click.echo(CLI_PREDICT_HEADER)
    for rank, score in enumerate(top, start=1):
        click.echo(CLI_PREDICT_LINE.format(rank=rank, label=score.label, confidence=score.confidence))


@classify_group.command("rules")
@click.option("--keywords", "keywords_path", type=click.Path(path_type=Path), default=None)
@click.argument("text")
@_clear_errors
def rules_cmd(text: str, keywords_path: Path | None) -> None:
    """What the no-training rules say: request type, urgency, keyword routing."""
    kind = classify_request_type(text)
    urgency = assess_urgency(text)
    routes = KeywordRouter.from_yaml(keywords_path).route(text)
    click.echo(CLI_RULES_TYPE.format(type=REQUEST_TYPE[kind.type], cues="、".join(kind.cues) or CLI_NO_CUES))
    click.echo(
        CLI_RULES_URGENCY.format(level=URGENCY[urgency.level], cues="、".join(urgency.cues) or CLI_NO_CUES)
    )
    shown = "；".join(CLI_RULES_ROUTE_ITEM.format(label=r.label, confidence=r.confidence) for r in routes)
    click.echo(CLI_RULES_ROUTE.format(routes=shown or CLI_NO_ROUTE))


# --- the unit router trained on the office's own dispatches (retrain.py) ------------------


def _in_database(work: Callable[[AsyncSession, Rules], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the configured database."""
    settings = Settings()
    upgrade_database(settings.database_url)
    rules = Rules.from_settings(settings)

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with session_factory(engine)() as session, session.begin():
                return await work(session, rules)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@classify_group.command("retrain")
@_clear_errors
def retrain_cmd() -> None:
    """Train the unit router on this office's dispatch history now; promote it only if it
    beats the model in use on the most recent weeks (the weekly job does the same)."""
    with progress(CLI_RETRAIN_PROGRESS):
        outcome = _in_database(lambda s, r: retrain(s, rules=r))
    click.echo(outcome.reason)


@classify_group.group("models")
def models_group() -> None:
    """The unit-routing models trained on this office's dispatches: list, promote, rollback."""


@models_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="print a JSON list")
@_clear_errors
def models_list_cmd(as_json: bool) -> None:
    rows = _in_database(lambda s, r: list_models(s))
    items = [{"version": row.id, "status": row.status.value, "created_at": row.created_at.isoformat(),
              "trigger": row.trigger, "week": row.week_key, "window_start": row.window_start.isoformat(),
              "window_end": row.window_end.isoformat(), "holdout_end": row.holdout_end.isoformat(),
              "n_train": row.n_train, "n_holdout": row.n_holdout, "metrics": row.metrics,
              "libraries": row.libraries, "format_version": row.format_version} for row in rows]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False))
        return
    if not items:
        click.echo(CLI_NO_MODELS)
        return
    click.echo(CLI_MODELS_HEADER)
    for row in rows:
        candidate = row.metrics.get("candidate", {})
        click.echo(CLI_MODELS_LINE.format(
            version=row.id, status=MODEL_STATUS[row.status.value], created=fmt_local(row.created_at),
            start=fmt_local(row.window_start)[:10], end=fmt_local(row.window_end)[:10], n=row.n_train,
            held=row.n_holdout, top1=candidate.get("top1", 0.0), top3=candidate.get("top3", 0.0),
            sklearn=row.libraries.get("scikit-learn", "?")))


@models_group.command("promote")
@click.argument("version", type=int)
@_clear_errors
def models_promote_cmd(version: int) -> None:
    """Use model VERSION from now on (also one the weekly job refused)."""
    _in_database(lambda s, r: promote(s, rules=r, version=version))
    click.echo(CLI_PROMOTED.format(version=version))


@models_group.command("rollback")
@_clear_errors
def models_rollback_cmd() -> None:
    """Back to the model in use before the current one (or to the keyword rules)."""
    earlier = _in_database(lambda s, r: rollback(s, rules=r))
    click.echo(CLI_ROLLED_BACK.format(back_to=f"{earlier.id}" if earlier is not None else KEYWORD_RULES))


@classify_group.command("quality")
@click.option("--month", default=None, help="YYYY-MM (Shanghai); default: the last 8 weeks")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@_clear_errors
def quality_cmd(month: str | None, as_json: bool) -> None:
    """How often the office took the router's suggestions: top-1 / top-3 per week and per unit."""
    start, end = quality_period(month, today=datetime.now(UTC).astimezone(SHANGHAI).date())
    report = _in_database(lambda s, r: router_quality(s, start=start, end=end))
    if as_json:
        click.echo(json.dumps(quality_as_dict(report), ensure_ascii=False))
        return
    click.echo(CLI_QUALITY_HEADER.format(start=start, end=end - timedelta(days=1), n=report.overall.n,
                                         top1=report.overall.top1_rate, top3=report.overall.top3_rate))
    for week, acc in report.by_week.items():
        click.echo(CLI_QUALITY_LINE.format(what=week, n=acc.n, top1=acc.top1_rate, top3=acc.top3_rate))
    for unit, acc in report.by_unit.items():
        click.echo(CLI_QUALITY_LINE.format(what=unit, n=acc.n, top1=acc.top1_rate, top3=acc.top3_rate))
