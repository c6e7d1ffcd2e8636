"""Dump each labelled query's hybrid signals (for fitting the confidence model).

    .venv/bin/python bench/kb_signals.py --set transfer-tune|dev|tipdm --out FILE.json

Only development material: the tuning half of the transfer set, the dev set of
bench/kb_dev.py and the tipdm scale check (train split). Each row: signals, whether the
top-1 is right, whether the query is in scope.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.kb_dev import dev_set, tipdm_set
from bench.kb_transfer import DATA, hybrid_kb, split
from knowledge_base import evaluation, files, segment
from knowledge_base.config import load_config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", dest="which", choices=("transfer-tune", "dev", "tipdm"), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    segment.load()
    if args.which == "transfer-tune":
        entries = files.active_entries(files.read_entries(DATA / "kb.csv"))
        queries = split(evaluation.read_queries(DATA / "queries.csv"), "tune")
    else:
        entries, queries = dev_set() if args.which == "dev" else tipdm_set()
    kb = hybrid_kb(entries, queries, load_config())
    rows = []
    for q in queries:
        query = kb.prepare_query(q.query)
        if query.empty:
            continue
        a = kb.assess(query)
        if a.signals is None or not a.ranked:
            continue
        rows.append({"s": list(a.signals.as_tuple()), "right": a.ranked[0].entry.id == q.expected_id,
                     "in": bool(q.expected_id), "q": q.query})
    sim = kb.simulate(kb.dense) if kb.dense is not None else None
    simulated = (
        {"in": [[list(s), ok] for s, ok in sim.in_scope], "out": [list(s) for s in sim.out_of_scope]}
        if sim
        else {}
    )
    args.out.write_text(
        json.dumps(
            {
                "threshold": kb.dense.answer_threshold if kb.dense else None,
                "rows": rows,
                "simulated": simulated,
            },
            ensure_ascii=False,
        )
    )
    print(args.which, len(rows))


if __name__ == "__main__":
    main()
