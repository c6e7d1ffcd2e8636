"""Dense side of the hybrid matcher: entry vectors in one matrix, cosine per entry.

Each entry contributes its question and alternatives (encoded in e5's symmetric
"query" mode) and the opening of its answer (a "passage"); an entry's dense score is
its best question-side cosine, or its answer cosine less `answer_offset` when that is
higher. A brute-force product is exact and takes ~3 ms for 10,000 entries.

The KB's own neighbourhood is measured when the index is built: for a sample of
entries, the cosine between an entry's question and the nearest *other* entry. A KB
whose entries are all alike (one department's 2,000 procedures) has a high level; the
confidence uses the query's cosine above that level, which is what lets one shipped
calibration hold on a KB it has never seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.encoder import Encoder, memo_query
from knowledge_base.vectors import Progress, VectorStore

ANSWER_OPENING = 96  # characters of the answer encoded (its first sentence or two)
NEIGHBOUR_SAMPLE = 600  # entries asked of their own KB at build (~0.5 s for 10,000)


def answer_opening(answer: str) -> str:
    return " ".join(answer.split())[:ANSWER_OPENING]


@dataclass(frozen=True, slots=True)
class DenseScores:
    question: np.ndarray  # (n_entries,) best cosine over question + alternatives
    answer: np.ndarray  # (n_entries,) cosine with the answer opening (-1 when none)


class DenseIndex:
    def __init__(
        self,
        encoder: Encoder,
        q_matrix: np.ndarray,
        q_starts: np.ndarray,
        a_matrix: np.ndarray,
        a_present: np.ndarray,
    ) -> None:
        self.encoder = encoder
        self._q = q_matrix  # (texts, dim), rows grouped by entry in entry order
        self._q_starts = q_starts  # first row of each entry (every entry has >= 1 row)
        self._a = a_matrix  # (n_entries, dim)
        self.answer_present = a_present
        self.n_entries = len(q_starts)
        self.neighbour_level, self.simulated = self._leave_one_out()
        self.answer_threshold = 0.8  # set by the KnowledgeBase from `simulated` and its config

    def _leave_one_out(self) -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
        """A sample of entries' own questions asked of the KB *without them*.

        Returns the KB's nearest-neighbour level (median best question cosine) and the
        per-entry (question, answer) cosines of each chunk, for simulated_signals."""
        n = self.n_entries
        if n < 3:
            return 0.8, []
        rng = np.random.default_rng(12345)
        sample = np.sort(rng.choice(n, size=min(n, NEIGHBOUR_SAMPLE), replace=False))
        best: list[np.ndarray] = []
        chunks = []
        for start in range(0, len(sample), 200):
            rows = sample[start : start + 200]
            vectors = self._q[self._q_starts[rows]]
            question = np.maximum.reduceat(vectors @ self._q.T, self._q_starts, axis=1)
            answer = np.where(self.answer_present, vectors @ self._a.T, -1.0)
            question[np.arange(len(rows)), rows] = -1.0
            answer[np.arange(len(rows)), rows] = -1.0
            best.append(question.max(axis=1))
            chunks.append((question, answer))
        return float(np.median(np.concatenate(best))), chunks

    def simulated_signals(self, answer_weight: float) -> list[tuple[float, float, float]]:
        """Signals of near-domain out-of-scope questions in this KB (an entry's question
        when the entry is absent), to set this KB's answer threshold."""
        out = []
        for question, answer in self.simulated:
            mixed = (question + answer_weight * answer) / (1 + answer_weight)
            per_entry = np.where(self.answer_present, mixed, question) if answer_weight else question
            two = -np.partition(-per_entry, 1, axis=1)[:, :2]
            for first, second in two:
                lead = float(first - second)
                out.append((lead, float(first) - self.neighbour_level, lead))
        return out

    def query_vector(self, text: str) -> np.ndarray:
        return memo_query(self.encoder, text)

    def scores(self, vector: np.ndarray) -> DenseScores:
        per_text = self._q @ vector
        question = np.maximum.reduceat(per_text, self._q_starts)
        answer = np.where(self.answer_present, self._a @ vector, -1.0)
        return DenseScores(question=question, answer=answer)


def build_dense(
    entry_texts: Sequence[tuple[Sequence[str], str]],
    encoder: Encoder,
    store: VectorStore | None = None,
    *,
    progress: Progress | None = None,
) -> DenseIndex:
    """entry_texts: per entry (question-side texts, answer). Vectors come from `store`
    when it has them; only missing ones are encoded."""
    store = store if store is not None else VectorStore()
    items: list[tuple[str, str]] = []
    starts: list[int] = []
    a_present: list[bool] = []
    for questions, answer in entry_texts:
        starts.append(len(items))
        q_texts = [t for t in questions if t.strip()] or [answer_opening(answer) or " "]
        items.extend(("q", t) for t in q_texts)
    a_items: list[tuple[str, str]] = []
    for _, answer in entry_texts:
        opening = answer_opening(answer)
        a_present.append(bool(opening))
        a_items.append(("a", opening or " "))
    matrix = store.ensure(encoder, [*items, *a_items], progress=progress)
    q_matrix = np.ascontiguousarray(matrix[: len(items)])
    a_matrix = np.ascontiguousarray(matrix[len(items) :])
    return DenseIndex(
        encoder,
        q_matrix,
        np.asarray(starts, dtype=np.int64),
        a_matrix,
        np.asarray(a_present, dtype=bool),
    )
