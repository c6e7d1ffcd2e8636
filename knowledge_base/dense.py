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
NEIGHBOUR_SAMPLE = 1500


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
        self._a_present = a_present
        self.n_entries = len(q_starts)
        self.neighbour_level = self._neighbour_level()

    def _neighbour_level(self) -> float:
        """Median cosine between an entry's question and its nearest other entry."""
        n = self.n_entries
        if n < 3:
            return 0.8
        rng = np.random.default_rng(12345)
        sample = np.sort(rng.choice(n, size=min(n, NEIGHBOUR_SAMPLE), replace=False))
        first = self._q[self._q_starts[sample]]
        sims = first @ self._q.T  # (sample, texts)
        per_entry = np.maximum.reduceat(sims, self._q_starts, axis=1)
        per_entry[np.arange(len(sample)), sample] = -1.0
        return float(np.median(per_entry.max(axis=1)))

    def query_vector(self, text: str) -> np.ndarray:
        return memo_query(self.encoder, text)

    def scores(self, vector: np.ndarray) -> DenseScores:
        per_text = self._q @ vector
        question = np.maximum.reduceat(per_text, self._q_starts)
        answer = np.where(self._a_present, self._a @ vector, -1.0)
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
