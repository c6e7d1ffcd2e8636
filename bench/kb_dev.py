"""Development material for the hybrid calibration (the shipped KB, held out).

    .venv/bin/python bench/kb_dev.py [--dump signals.csv] [--config matcher.yaml]

The shipped KB is turned into what an office's FAQ looks like: every entry keeps only
its formal question and answer (no alternatives, no keywords). Its alternatives and
the labelled rows of tests/data/kb_queries.csv become the colloquial queries. A
quarter of the entries (chosen by a hash of the id) is removed from the KB, and their
queries become out-of-scope questions *near the KB's domain* — the hard kind of
out-of-scope — next to the file's own off-topic rows. Prints the `kb eval` figures; with
--dump, writes each query's signals and whether its top-1 is right (for the fit).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge_base import evaluation, files, segment
from knowledge_base.config import load_config
from knowledge_base.encoder import load_encoder
from knowledge_base.evaluation import LabelledQuery
from knowledge_base.matcher import Entry, build_knowledge_base

ROOT = Path(__file__).resolve().parents[1]


def held_out(entry_id: str) -> bool:
    return hashlib.sha1(entry_id.encode()).digest()[0] < 64  # ~25 %


def dev_set() -> tuple[list[Entry], list[LabelledQuery]]:
    records = [r for r in files.default_records() if r.active]
    kept = [r for r in records if not held_out(r.id)]
    kept_ids = {r.id for r in kept}
    entries = [
        Entry(id=r.id, question=r.question, answer=r.answer, unit=r.unit, category=r.category) for r in kept
    ]
    queries: list[LabelledQuery] = []
    for r in records:
        for alt in r.alternatives:
            queries.append(LabelledQuery(alt, r.id if r.id in kept_ids else ""))
    for q in evaluation.read_queries(ROOT / "tests" / "data" / "kb_queries.csv"):
        queries.append(LabelledQuery(q.query, q.expected_id if q.expected_id in kept_ids else ""))
    return entries, queries


TIPDM = ROOT.parent / "shared" / "data" / "tipdm2020c" / "messages.csv"


def tipdm_set(n_entries: int = 2000, split: str = "train") -> tuple[list[Entry], list[LabelledQuery]]:
    """Scale check (development use of ../shared/data, train split only, nothing kept):
    2,000 citizens' message titles as the questions of a KB without answers, and the
    openings of their messages' details as the queries; 150 other messages' details are
    out of scope. Not FAQ-like; it shows how the KB-adapted threshold behaves at size."""
    path = TIPDM if TIPDM.exists() else Path("/work/shared/data/tipdm2020c/messages.csv")
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["split"] == split and r["title"] and r["detail"]]
    seen: set[str] = set()
    unique = []
    for r in rows:
        if r["title"] not in seen:
            seen.add(r["title"])
            unique.append(r)
    kb_rows, out_rows = unique[:n_entries], unique[n_entries : n_entries + 150]
    entries = [Entry(id=f"m{i}", question=r["title"], answer="") for i, r in enumerate(kb_rows)]
    queries = [
        LabelledQuery(" ".join(r["detail"].split())[:80], f"m{i}")
        for i, r in enumerate(kb_rows)
        if i % 5 == 0
    ]
    queries += [LabelledQuery(" ".join(r["detail"].split())[:80], "") for r in out_rows]
    return entries, queries


def print_curve(outcomes: Sequence[evaluation.Outcome], thresholds: Sequence[float]) -> None:
    """What other thresholds would give on a labelled set (answered and precision as
    `kb eval` counts them, out-of-scope questions answered)."""
    rows = [
        (o.result.confidence, o.top1_id == o.query.expected_id, bool(o.query.expected_id)) for o in outcomes
    ]
    n_in = sum(1 for *_, s in rows if s) or 1
    n_out = sum(1 for *_, s in rows if not s) or 1
    for t in thresholds:
        taken = [(r, s) for c, r, s in rows if c >= t]
        right = sum(1 for r, s in taken if r and s)
        print(f"threshold {t}: answered {sum(1 for _, s in taken if s) / n_in:.3f} "
              f"precision {right / max(1, len(taken)):.3f} "
              f"out-of-scope answered {sum(1 for _, s in taken if not s) / n_out:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--lexical", action="store_true", help="without the encoder")
    parser.add_argument("--curve", action="store_true", help="answered/precision at other thresholds")
    parser.add_argument("--tipdm", action="store_true", help="the 2,000-entry scale check instead")
    parser.add_argument(
        "--tipdm-test", action="store_true", help="the same built from the test split (report only)"
    )
    args = parser.parse_args()
    segment.load()
    if args.tipdm_test:  # the public set's own held-out split: never tuned on
        entries, queries = tipdm_set(n_entries=500, split="test")  # 659 usable rows: 150 left out of scope
    else:
        entries, queries = tipdm_set() if args.tipdm else dev_set()
    encoder = None if args.lexical else load_encoder()
    kb = build_knowledge_base(
        entries, config=load_config(args.config), encoder=encoder, vector_path=ROOT / "var" / "kb_vectors.npz"
    )
    kb.prefetch([q.query for q in queries])
    outcomes = evaluation.run(kb, queries)
    report = evaluation.summarize(outcomes)
    threshold = kb.dense.answer_threshold if kb.dense is not None else None
    print(
        json.dumps(
            {"n_entries": len(kb), "answer_threshold": threshold, **report.as_dict()}, ensure_ascii=False
        )
    )
    if args.curve:
        print_curve(outcomes, (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9))
    if args.dump:
        with args.dump.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["query", "expected", "top1", "right", "in_scope", "signals"])
            for o in outcomes:
                query = kb.prepare_query(o.query.query)
                a = kb.assess(query)
                top1 = a.ranked[0].entry.id if a.ranked else ""
                sig = list(a.signals.as_tuple()) if a.signals else []
                writer.writerow(
                    [o.query.query, o.query.expected_id, top1, int(top1 == o.query.expected_id),
                     int(bool(o.query.expected_id)), json.dumps(sig)]
                )


if __name__ == "__main__":
    main()
