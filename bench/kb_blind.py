"""A blind transfer set, evaluated once after the calibration is frozen.

    .venv/bin/python bench/kb_blind.py [--dir DIR] [--kb KB.csv --queries Q.csv] [--curve] [--set key=value]

The directory holds a knowledge base (`kb.csv`, or the one CSV/XLSX with an answer
column) and its labelled colloquial questions (`queries.csv`: query,expected_id; an
empty expected_id is out of scope), written by people who never saw the matcher. The
shipped matcher.yaml is used unchanged; the KB's own threshold comes from its entries
as at any office's import. Prints the `kb eval` figures as one JSON line (and with
--curve what other thresholds would have given: for the report, never for tuning).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.kb_dev import print_curve
from bench.kb_transfer import hybrid_kb
from knowledge_base import evaluation, files, segment
from knowledge_base.config import load_config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=Path("/work/blind2"))
    parser.add_argument("--kb", type=Path)
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--curve", action="store_true")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    changes = {k: yaml.safe_load(v) for k, v in (o.split("=", 1) for o in args.overrides)}
    kb_path = args.kb or args.dir / "kb.csv"
    queries_path = args.queries or args.dir / "queries.csv"
    segment.load()
    records = files.read_entries(kb_path)
    entries = files.active_entries(records)
    queries = evaluation.read_queries(queries_path)
    kb = hybrid_kb(entries, queries, load_config().with_overrides(**changes))
    outcomes = evaluation.run(kb, queries)
    report = evaluation.summarize(outcomes)
    threshold = kb.dense.answer_threshold if kb.dense is not None else None
    print(json.dumps({"kb": str(kb_path), "n_entries": len(kb), "answer_threshold": threshold, **changes,
                      **report.as_dict()}, ensure_ascii=False))
    if args.curve:
        print_curve(outcomes, (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))


if __name__ == "__main__":
    main()
