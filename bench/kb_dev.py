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
    entries = [Entry(id=r.id, question=r.question, answer=r.answer, unit=r.unit, category=r.category) for r in kept]
    queries: list[LabelledQuery] = []
    for r in records:
        for alt in r.alternatives:
            queries.append(LabelledQuery(alt, r.id if r.id in kept_ids else ""))
    for q in evaluation.read_queries(ROOT / "tests" / "data" / "kb_queries.csv"):
        queries.append(LabelledQuery(q.query, q.expected_id if q.expected_id in kept_ids else ""))
    return entries, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--lexical", action="store_true", help="without the encoder")
    args = parser.parse_args()
    segment.load()
    entries, queries = dev_set()
    encoder = None if args.lexical else load_encoder()
    kb = build_knowledge_base(
        entries, config=load_config(args.config), encoder=encoder, vector_path=ROOT / "var" / "kb_vectors.npz"
    )
    outcomes = evaluation.run(kb, queries)
    report = evaluation.summarize(outcomes)
    print(json.dumps({"n_entries": len(kb), **report.as_dict()}, ensure_ascii=False))
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
