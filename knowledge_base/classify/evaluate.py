"""Evaluation of a trained classifier on labelled texts: the figures `classify eval --json` prints."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from knowledge_base.classify.errors import BadTrainingData, UnknownLabels
from knowledge_base.classify.model import TextClassifier
from knowledge_base.classify.texts import ERR_NO_TRAINING_ROWS, ERR_UNKNOWN_LABELS


@dataclass(frozen=True, slots=True)
class ClassMetrics:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, slots=True)
class EvalReport:
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassMetrics]
    msgs_per_s: float
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(model: TextClassifier, texts: Sequence[str], labels: Sequence[str]) -> EvalReport:
    """Accuracy, macro-F1, per-class figures and throughput; unknown labels are an error."""
    pairs = [(t, y) for t, y in zip(texts, labels, strict=True) if t.strip() and y.strip()]
    if not pairs:
        raise BadTrainingData(ERR_NO_TRAINING_ROWS)
    known = set(model.labels)
    unknown = sorted({y for _, y in pairs} - known)
    if unknown:
        raise UnknownLabels(
            ERR_UNKNOWN_LABELS.format(labels="、".join(unknown), known="、".join(model.labels)), unknown
        )
    gold = [y for _, y in pairs]
    started = time.perf_counter()
    predicted = model.predict([t for t, _ in pairs])
    seconds = time.perf_counter() - started
    order = list(model.labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=order, zero_division=0
    )
    per_class = {
        label: ClassMetrics(round(float(p), 4), round(float(r), 4), round(float(f), 4), int(s))
        for label, p, r, f, s in zip(order, precision, recall, f1, support, strict=True)
        if s > 0 or label in predicted
    }
    present = [label for label in order if label in per_class]
    return EvalReport(
        n=len(pairs),
        accuracy=round(float(accuracy_score(gold, predicted)), 4),
        macro_f1=round(float(f1_score(gold, predicted, labels=present, average="macro", zero_division=0)), 4),
        per_class=per_class,
        msgs_per_s=round(len(pairs) / seconds, 1) if seconds > 0 else float("inf"),
        seconds=round(seconds, 3),
    )
