"""Evaluation of the matcher on a labelled query file (`kb eval`, benchmarks, tests).

Q.csv has the columns `query,expected_id`; an empty expected_id means the bot must not
give a direct answer (off-topic, chit-chat, not in the knowledge base).
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from knowledge_base.conversation import AnswerResult, Band, answer
from knowledge_base.files import KBFileError
from knowledge_base.matcher import KnowledgeBase


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    query: str
    expected_id: str  # "" = out of scope


@dataclass(frozen=True, slots=True)
class Outcome:
    query: LabelledQuery
    result: AnswerResult
    elapsed_ms: float

    @property
    def top1_id(self) -> str | None:
        ranked = self.result.candidates or self.result.entries
        return ranked[0].entry.id if ranked else None

    @property
    def answered_id(self) -> str | None:
        return self.result.entries[0].entry.id if self.result.band is Band.ANSWER else None

    @property
    def offered_ids(self) -> list[str]:
        return [s.entry.id for s in self.result.entries] if self.result.band is not Band.NONE else []


@dataclass(frozen=True, slots=True)
class EvalReport:
    n_queries: int
    n_in_scope: int
    n_out_of_scope: int
    top1: float
    answered: float
    precision: float
    suggest_hit: float
    false_answer_out_of_scope: float
    p50_ms: float
    p99_ms: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def parse_queries(text: str, *, source: str = "queries.csv") -> list[LabelledQuery]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    names = {(n or "").strip().lower() for n in reader.fieldnames or []}
    if not {"query", "expected_id"} <= names:
        raise KBFileError(f"{source}: needs the columns query,expected_id")
    out = []
    for row in reader:
        row = {(k or "").strip().lower(): (v or "") for k, v in row.items()}
        out.append(LabelledQuery(query=row["query"], expected_id=row["expected_id"].strip()))
    return out


def read_queries(path: Path | str) -> list[LabelledQuery]:
    path = Path(path)
    return parse_queries(path.read_text(encoding="utf-8-sig"), source=path.name)


def run(kb: KnowledgeBase, queries: Sequence[LabelledQuery]) -> list[Outcome]:
    outcomes = []
    for q in queries:
        start = time.perf_counter()
        result = answer(kb, q.query)
        outcomes.append(Outcome(q, result, (time.perf_counter() - start) * 1000))
    return outcomes


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return round(sorted_values[index], 4)


def summarize(outcomes: Sequence[Outcome]) -> EvalReport:
    in_scope = [o for o in outcomes if o.query.expected_id]
    out_scope = [o for o in outcomes if not o.query.expected_id]
    answered = [o for o in outcomes if o.answered_id is not None]
    answered_right = [o for o in answered if o.answered_id == o.query.expected_id]
    latencies = sorted(o.elapsed_ms for o in outcomes)
    return EvalReport(
        n_queries=len(outcomes),
        n_in_scope=len(in_scope),
        n_out_of_scope=len(out_scope),
        top1=_share(sum(o.top1_id == o.query.expected_id for o in in_scope), len(in_scope)),
        answered=_share(sum(o.answered_id is not None for o in in_scope), len(in_scope)),
        precision=_share(len(answered_right), len(answered)),
        suggest_hit=_share(sum(o.query.expected_id in o.offered_ids for o in in_scope), len(in_scope)),
        false_answer_out_of_scope=_share(sum(o.answered_id is not None for o in out_scope), len(out_scope)),
        p50_ms=_percentile(latencies, 0.50),
        p99_ms=_percentile(latencies, 0.99),
    )


def evaluate(kb: KnowledgeBase, queries: Sequence[LabelledQuery]) -> EvalReport:
    return summarize(run(kb, queries))
