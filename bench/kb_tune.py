"""Tune the matcher weights and band thresholds on the tuning half of the labelled set.

    .venv/bin/python bench/kb_tune.py [--kb FILE] [--queries tests/data/kb_queries.csv] [--trials 1500]

Rows with an even index (0, 2, 4, …) of the query file are the tuning half; odd rows are
held out and only reported. The search is random over the scorer weights and a grid
over the two thresholds; it maximises top1 + answered on the tuning half subject to
precision >= --min-precision and false answers out of scope <= --max-false. Prints the
YAML to paste into knowledge_base/data/matcher.yaml and the figures on both halves.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from pathlib import Path

from knowledge_base import evaluation, files, segment
from knowledge_base.config import MatcherConfig, load_config
from knowledge_base.matcher import KnowledgeBase

WEIGHT_KEYS = (
    "weight_query_coverage",
    "weight_text_coverage",
    "weight_bigram",
    "weight_ratio",
    "weight_token_set",
    "weight_partial",
    "weight_entry_coverage",
    "weight_entry_chars",
    "keyword_bonus",
)


# The rapidfuzz scorers: each keeps at least --min-fuzz weight so the re-ranking always
# uses more than one of them (the entry-level coverage alone cannot see word order).
FUZZ_KEYS = ("weight_ratio", "weight_token_set", "weight_partial")


def _decisions(kb: KnowledgeBase, cfg: MatcherConfig, cached: list) -> list[tuple[str | None, float, float]]:
    """(best id, best score, margin over runner-up) per query for one weight setting."""
    out = []
    for feats in cached:
        if not feats:
            out.append((None, 0.0, 0.0))
            continue
        scored = sorted(((kb.combine(cfg, f, hit), e.id) for e, f, hit in feats), reverse=True)
        runner = scored[1][0] if len(scored) > 1 else 0.0
        out.append((scored[0][1], scored[0][0], scored[0][0] - runner))
    return out


def _metrics(decisions, expected, t_answer: float, lead_weight: float) -> tuple[float, float, float, float]:
    n_in = sum(1 for e in expected if e)
    n_out = len(expected) - n_in
    top1 = answered = right = false_out = n_answered = 0
    for (best, score, lead), exp in zip(decisions, expected, strict=True):
        is_answer = best is not None and score + lead_weight * lead >= t_answer
        if exp:
            top1 += best == exp
            answered += is_answer
        else:
            false_out += is_answer
        if is_answer:
            n_answered += 1
            right += best == exp
    return (
        top1 / n_in,
        answered / n_in,
        right / n_answered if n_answered else 1.0,
        false_out / n_out if n_out else 0.0,
    )


def _platt(zs: list[float], ys: list[float]) -> tuple[float, float]:
    """Logistic regression of ys on zs (Newton's method, light L2 so it stays finite)."""
    a, c = 1.0, 0.0
    for _ in range(100):
        ga = gc = 0.0
        haa = hac = hcc = 1e-3
        for z, y in zip(zs, ys, strict=True):
            p = 1 / (1 + math.exp(-max(-60.0, min(60.0, a * z + c))))
            ga += (p - y) * z
            gc += p - y
            w = p * (1 - p)
            haa += w * z * z
            hac += w * z
            hcc += w
        ga += 1e-3 * a
        det = haa * hcc - hac * hac
        da = (hcc * ga - hac * gc) / det
        dc = (haa * gc - hac * ga) / det
        a, c = a - da, c - dc
        if abs(da) + abs(dc) < 1e-9:
            break
    return a, c


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=Path, default=None)
    parser.add_argument("--queries", type=Path, default=Path("tests/data/kb_queries.csv"))
    parser.add_argument("--trials", type=int, default=1500)
    parser.add_argument("--min-precision", type=float, default=0.985)
    parser.add_argument("--max-false", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--min-fuzz", type=float, default=0.05)
    args = parser.parse_args()

    segment.load()
    records = files.read_entries(args.kb) if args.kb else files.default_records()
    base = load_config()
    kb = KnowledgeBase(files.active_entries(records), config=base)
    queries = evaluation.read_queries(args.queries)
    tune = queries[0::2]
    hold = queries[1::2]
    cached_tune = [kb.features(kb.prepare_query(q.query)) for q in tune]
    exp_tune = [q.expected_id for q in tune]
    retrieval = sum(
        any(e.id == q.expected_id for e, _, _ in feats) for q, feats in zip(tune, cached_tune, strict=True)
    ) / max(1, sum(1 for q in tune if q.expected_id))
    print(f"retrieval recall@{base.candidates} on tuning half: {retrieval:.4f}")

    rng = random.Random(args.seed)
    thresholds = [round(0.30 + 0.01 * i, 2) for i in range(100)]
    lead_weights = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]
    best: tuple[float, dict] | None = None
    started = time.perf_counter()
    for trial in range(args.trials):
        if trial == 0:
            weights = {k: getattr(base, k) for k in WEIGHT_KEYS}
        else:
            weights = {k: rng.random() ** 2 for k in WEIGHT_KEYS[:-1]}
            for k in FUZZ_KEYS:
                weights[k] = max(weights[k], args.min_fuzz)
            total = sum(weights.values()) or 1.0
            weights = {
                k: max(round(v / total / 0.05) * 0.05, args.min_fuzz if k in FUZZ_KEYS else 0)
                for k, v in weights.items()
            }
            weights = {k: round(v, 2) for k, v in weights.items()}
            weights["keyword_bonus"] = round(rng.choice([0.0, 0.05, 0.1, 0.15, 0.2, 0.25]), 2)
        for k in FUZZ_KEYS:
            weights[k] = max(weights[k], args.min_fuzz)
        cfg = base.with_overrides(**weights)
        decisions = _decisions(kb, cfg, cached_tune)
        for t in thresholds:
            for m in lead_weights:
                top1, answered, precision, false_out = _metrics(decisions, exp_tune, t, m)
                if precision < args.min_precision or false_out > args.max_false:
                    continue
                objective = top1 + answered
                if best is None or objective > best[0]:
                    best = (objective, {**weights, "lead_weight": m, "z_threshold": t})
    if best is None:
        print("no setting meets the constraints")
        return
    chosen = best[1]
    z_threshold = chosen.pop("z_threshold")
    cfg = base.with_overrides(**chosen)
    # Platt scaling: confidence = sigmoid(a * (score + lead_weight * lead) + c), fitted on
    # the tuning half (label: the best entry is the expected one; out of scope = wrong).
    dec = _decisions(kb, cfg, cached_tune)
    zs = [score + cfg.lead_weight * lead for _, score, lead in dec]
    ys = [
        1.0 if best_id is not None and best_id == e else 0.0
        for (best_id, _, _), e in zip(dec, exp_tune, strict=True)
    ]
    slope, intercept = _platt(zs, ys)
    chosen["calibration_slope"] = round(slope, 4)
    chosen["calibration_intercept"] = round(intercept, 4)
    chosen["answer_threshold"] = round(1 / (1 + math.exp(-(slope * z_threshold + intercept))), 4) - 0.00005
    chosen["answer_threshold"] = round(chosen["answer_threshold"], 4)
    chosen["answer_margin"] = 0.0
    cfg = base.with_overrides(**chosen)
    # Suggestions: the lowest threshold at which at most a third of the out-of-scope
    # queries get a 猜你想问 list (a list for chit-chat looks silly, a missing one costs a call).
    dec = _decisions(kb, cfg, cached_tune)
    out_scores = sorted(score for (_, score, _), e in zip(dec, exp_tune, strict=True) if not e)
    suggest = out_scores[int(len(out_scores) * 2 / 3)] if out_scores else 0.3
    chosen["suggest_threshold"] = round(min(suggest, chosen["answer_threshold"]), 3)
    cfg = base.with_overrides(**chosen)
    print(f"search took {time.perf_counter() - started:.1f} s")
    print("# --- matcher.yaml ---")
    for key, value in chosen.items():
        print(f"{key}: {value}")
    for name, part in (("tuning", tune), ("held-out", hold)):
        tuned = KnowledgeBase(files.active_entries(records), config=cfg)
        print(name, evaluation.evaluate(tuned, part).as_dict())


if __name__ == "__main__":
    main()
