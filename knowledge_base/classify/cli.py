"""`classify train | eval | predict | rules` — formats fixed by issue 4; other tools parse them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from knowledge_base.classify.dataset import load_labelled, parse_columns, parse_where
from knowledge_base.classify.evaluate import evaluate
from knowledge_base.classify.model import TOP_K, TextClassifier, TrainConfig
from knowledge_base.classify.request_type import classify_request_type
from knowledge_base.classify.routing import KeywordRouter
from knowledge_base.classify.texts import (
    CLI_NO_CUES,
    CLI_NO_ROUTE,
    CLI_PREDICT_HEADER,
    CLI_PREDICT_LINE,
    CLI_RULES_ROUTE,
    CLI_RULES_ROUTE_ITEM,
    CLI_RULES_TYPE,
    CLI_RULES_URGENCY,
    CLI_TRAIN_PROGRESS,
    CLI_TRAINED,
)
from knowledge_base.classify.urgency import assess_urgency
from tickets.errors import HotlineError
from tickets.terminal import progress
from tickets.texts import REQUEST_TYPE, URGENCY

F = TypeVar("F", bound=Callable[..., Any])

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
@click.option("--words", is_flag=True, help="jieba words instead of the fast dictionary match: about as accurate, half the speed")
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
