"""Category routing on tipdm2020c: train on split=train, report on split=test.

    .venv/bin/python bench/classify_tipdm.py [--data PATH] [--cv] [--config default|jieba|svm|chars]

Text = title + detail (`title_plus_detail_unsplit` for rows whose title was not split
off). `--cv` prints 3-fold cross-validated macro-F1 on the train split only — the
number every tuning decision was made on; the test split is only reported.
`--config`: default (character 1-2-grams + dictionary words, title twice, SVM blended
with nearest neighbours), jieba (`TrainConfig.with_words()`), svm (the SVM alone,
`TrainConfig.without_neighbours()`) or chars (`TrainConfig.chars_only()`, the format-1
default). Experiments and their figures: bench/classify_experiments.md.
Prints macro-F1, accuracy, per-class figures, training time and messages/s
(single process; BLAS threads pinned to one core).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

# This checkout's code, not whichever one the virtualenv was installed from.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from knowledge_base import segment
from knowledge_base.classify.evaluate import evaluate
from knowledge_base.classify.model import TextClassifier, TrainConfig

# ../shared/data beside the checkout, as the workplace lays it out.
DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "tipdm2020c" / "messages.csv"
CONFIGS = {
    "default": TrainConfig,
    "jieba": TrainConfig.with_words,
    "svm": TrainConfig.without_neighbours,
    "chars": TrainConfig.chars_only,
}


def load(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    out: dict[str, tuple[list[str], list[str]]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            parts = [row["title"].strip(), (row["detail"] or row["title_plus_detail_unsplit"]).strip()]
            text = "\n".join(p for p in parts if p)
            texts, labels = out.setdefault(row["split"], ([], []))
            texts.append(text)
            labels.append(row["label"])
    return out


def cross_validate(texts: list[str], labels: list[str], config: TrainConfig) -> float:
    scores = []
    for train_idx, val_idx in StratifiedKFold(3, shuffle=True, random_state=0).split(texts, labels):
        model = TextClassifier.train([texts[i] for i in train_idx], [labels[i] for i in train_idx], config)
        predicted = model.predict([texts[i] for i in val_idx])
        scores.append(f1_score([labels[i] for i in val_idx], predicted, average="macro"))
    return sum(scores) / len(scores)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--cv", action="store_true", help="also print 3-fold CV macro-F1 on train")
    parser.add_argument(
        "--config",
        choices=sorted(CONFIGS),
        default="default",
        help="default: chars 1-2 + dictionary words + neighbours; jieba: with_words(); "
        "svm: without_neighbours(); chars: chars_only()",
    )
    args = parser.parse_args()

    segment.load()
    splits = load(args.data)
    train_texts, train_labels = splits["train"]
    test_texts, test_labels = splits["test"]
    config = CONFIGS[args.config]()
    print(f"train={len(train_texts)} test={len(test_texts)} config={config}")

    if args.cv:
        print(f"cv3 macro-F1 on train: {cross_validate(train_texts, train_labels, config):.4f}")

    started, cpu = time.perf_counter(), time.process_time()
    model = TextClassifier.train(train_texts, train_labels, config)
    train_seconds, train_cpu = time.perf_counter() - started, time.process_time() - cpu
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.clf"
        model.save(path)
        size_kb = path.stat().st_size / 1024
        started = time.perf_counter()
        model = TextClassifier.load(path)
        load_seconds = time.perf_counter() - started

    cpu = time.process_time()
    report = evaluate(model, test_texts, test_labels)
    eval_cpu = time.process_time() - cpu
    print(
        f"training: {train_seconds:.1f} s wall, {train_cpu:.1f} s CPU on {len(train_texts)} messages; "
        f"model file {size_kb:.0f} KiB, load {load_seconds:.2f} s"
    )
    print(
        f"test: n={report.n} accuracy={report.accuracy:.4f} macro-F1={report.macro_f1:.4f} "
        f"speed={report.msgs_per_s:.0f} msgs/s wall, {report.n / eval_cpu:.0f} msgs per CPU-second "
        f"(batch of {report.n})"
    )
    print(f"{'label':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for label, m in report.per_class.items():
        print(f"{label:<10}{m.precision:>10.4f}{m.recall:>8.4f}{m.f1:>8.4f}{m.support:>9}")

    sample = test_texts[:300]
    started, cpu = time.perf_counter(), time.process_time()
    for text in sample:
        model.predict_top(text)
    single = len(sample) / (time.perf_counter() - started)
    single_cpu = len(sample) / (time.process_time() - cpu)
    print(f"one message at a time (predict_top): {single:.0f} msgs/s wall, {single_cpu:.0f} per CPU-second")
    print(f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
