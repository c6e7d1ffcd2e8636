"""The transfer set (bench/data/transfer/) split in two halves fixed before looking.

    .venv/bin/python bench/kb_transfer.py [--half tune|held-out|all] [--set key=value ...] [--curve]

A query belongs to the tuning half when the first byte of the SHA-1 of its text is even,
to the held-out half otherwise (259 / 258 queries). This split was fixed before any
figure of the pseudo-query calibration was looked at; the matcher.yaml keys it chose
were picked on the tuning half only and then frozen, and the held-out half is reported
once with them. The whole KB is built either way (the halves split queries, not entries).
--set overrides a matcher.yaml key (e.g. --set hybrid_near_domain_share=0.2).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.kb_dev import print_curve
from knowledge_base import evaluation, files, segment
from knowledge_base.config import MatcherConfig, load_config
from knowledge_base.encoder import load_encoder
from knowledge_base.evaluation import LabelledQuery
from knowledge_base.matcher import Entry, KnowledgeBase, build_knowledge_base
from knowledge_base.vectors import VectorStore

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "transfer"


def in_tuning_half(query: str) -> bool:
    return hashlib.sha1(query.encode()).digest()[0] % 2 == 0


def split(queries: list[LabelledQuery], half: str) -> list[LabelledQuery]:
    if half == "all":
        return queries
    want = half == "tune"
    return [q for q in queries if in_tuning_half(q.query) == want]


def hybrid_kb(entries: list[Entry], queries: list[LabelledQuery], config: MatcherConfig) -> KnowledgeBase:
    """The KB with the encoder, its entries' and the queries' vectors kept in var/ (a rerun
    encodes nothing)."""
    store_path = ROOT / "var" / "kb_vectors.npz"
    kb = build_knowledge_base(entries, config=config, encoder=load_encoder(), vector_path=store_path)
    store = VectorStore(store_path)
    kb.prefetch([q.query for q in queries], store)
    if store.added:
        store.save()
    return kb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--half", choices=("tune", "held-out", "all"), default="tune")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--curve", action="store_true", help="answered/precision at other thresholds")
    args = parser.parse_args()
    segment.load()
    changes = {k: yaml.safe_load(v) for k, v in (o.split("=", 1) for o in args.overrides)}
    config = load_config().with_overrides(**changes)
    entries = files.active_entries(files.read_entries(DATA / "kb.csv"))
    queries = split(evaluation.read_queries(DATA / "queries.csv"), args.half)
    kb = hybrid_kb(entries, queries, config)
    outcomes = evaluation.run(kb, queries)
    report = evaluation.summarize(outcomes)
    threshold = kb.dense.answer_threshold if kb.dense is not None else None
    print(json.dumps({"half": args.half, "n_entries": len(kb), "answer_threshold": threshold, **changes,
                      **report.as_dict()}, ensure_ascii=False))
    if args.curve:
        print_curve(outcomes, (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))


if __name__ == "__main__":
    main()
