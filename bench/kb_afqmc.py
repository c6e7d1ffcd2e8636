"""Stress figure: the matcher on AFQMC sentence pairs (Ant Financial customer questions).

    .venv/bin/python bench/kb_afqmc.py [--pairs ../shared/data/afqmc/pairs.csv] [--swap]

The file is read at run time and nothing of it is written anywhere. Every distinct
text_a becomes a knowledge-base entry (question only, no alternatives or keywords);
every text_b is a query whose expected entry is its text_a when the pair is labelled
a match, and "no direct answer" when it is not. This is much harder than a FAQ: the
domain (花呗, 借呗) has no user dictionary here, non-matching pairs are deliberately
near-paraphrases, and a lexical matcher cannot tell "能提额" from "不能提额". The
shipped thresholds (tuned on the hotline set) are used unchanged. With the encoder
installed the matcher is hybrid (--lexical for the old figure).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not the installed one

from knowledge_base import evaluation, segment
from knowledge_base.config import load_config, vector_path
from knowledge_base.encoder import load_encoder
from knowledge_base.evaluation import LabelledQuery
from knowledge_base.matcher import Entry, build_knowledge_base
from knowledge_base.vectors import VectorStore

# The "../shared/data/afqmc/pairs.csv", relative to the repository root; the
# shared folder of this workplace when the repository is a worktree elsewhere.
_RELATIVE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "afqmc" / "pairs.csv"
DEFAULT = _RELATIVE if _RELATIVE.exists() else Path("/work/shared/data/afqmc/pairs.csv")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--pairs",
        type=Path,
        default=DEFAULT if DEFAULT.exists() else Path("/work/shared/data/afqmc/pairs.csv"),
    )
    parser.add_argument("--swap", action="store_true", help="text_b as the KB, text_a as the queries")
    parser.add_argument("--lexical", action="store_true", help="without the encoder")
    parser.add_argument("--config", type=Path, help="an office's matcher YAML over the shipped one")
    args = parser.parse_args()

    with args.pairs.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    kb_side, query_side = ("text_b", "text_a") if args.swap else ("text_a", "text_b")
    ids: dict[str, str] = {}
    for row in rows:
        ids.setdefault(row[kb_side], f"e{len(ids)}")
    # No answer text: a placeholder ("-") would be encoded as every entry's answer opening and
    # drag every score down by the same amount, below the KB's own level (nothing shown).
    entries = [Entry(id=i, question=text, answer="") for text, i in ids.items()]
    queries = [
        LabelledQuery(query=row[query_side], expected_id=ids[row[kb_side]] if row["label01"] == "1" else "")
        for row in rows
    ]
    segment.load()
    encoder = None if args.lexical else load_encoder()
    store = VectorStore(vector_path()) if encoder is not None else None
    kb = build_knowledge_base(
        entries, config=load_config(args.config), encoder=encoder, vector_path=vector_path()
    )
    kb.prefetch([q.query for q in queries], store)  # encoded once, stored: reruns are quick
    if store is not None and store.added:
        store.save()
    report = evaluation.evaluate(kb, queries)
    threshold = kb.dense.answer_threshold if kb.dense is not None else None
    print(
        json.dumps(
            {
                "pairs": len(rows),
                "kb_side": kb_side,
                "n_entries": len(kb),
                "hybrid": kb.dense is not None,
                "answer_threshold": threshold,
                **report.as_dict(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
