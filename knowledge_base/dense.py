"""Dense side of the hybrid matcher: entry vectors in one matrix, cosine per entry.

Each entry contributes its question and alternatives (encoded in e5's symmetric
"query" mode) and the opening of its answer (a "passage"); an entry's dense score is
its best question-side cosine, or its answer cosine less `answer_offset` when that is
higher. A brute-force product is exact and takes ~3 ms for 10,000 entries.

Each entry may also carry pseudo-queries (knowledge_base/pseudo.py: colloquial
rephrasings of its own question made at import), encoded like questions and counted
in the entry's best question-side cosine.

The KB's own neighbourhood is measured when the index is built: for a sample of
entries, the cosine between an entry's question and the nearest *other* entry. A KB
whose entries are all alike (one department's 2,000 procedures) has a high level; the
confidence uses the query's cosine above that level, which is what lets one shipped
calibration hold on a KB it has never seen.

The same sample calibrates the KB's answer threshold (self-supervised, no labelled
data): each sampled entry's first pseudo-query is asked of the KB without that entry's
pseudo-query vectors (an in-scope citizen question: is the entry still first?) and
without the entry at all (a near-domain question the KB does not cover).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge_base.config import MatcherConfig
from knowledge_base.encoder import Encoder, memo_query
from knowledge_base.normalize import strip_labels
from knowledge_base.vectors import Progress, VectorStore

ANSWER_OPENING = 96  # characters of the answer encoded (its first sentence or two)
NEIGHBOUR_SAMPLE = 600  # entries asked of their own KB at build (~0.5 s for 10,000)


def answer_opening(answer: str) -> str:
    return " ".join(strip_labels(answer, answer=True).split())[:ANSWER_OPENING]


@dataclass(frozen=True, slots=True)
class Simulated:
    """Signals of the simulated questions of one KB (see the module docstring)."""

    in_scope: list[tuple[tuple[float, ...], bool]]  # (signals, entry still first)
    out_of_scope: list[tuple[float, ...]]


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
        pseudo_rows: np.ndarray | None = None,
        pseudo_texts: Sequence[str] = (),
    ) -> None:
        self.encoder = encoder
        self._q = q_matrix  # (texts, dim), rows grouped by entry in entry order
        self._q_starts = q_starts  # first row of each entry (every entry has >= 1 row)
        # True for the rows that are pseudo-queries (the last rows of their entry's group).
        self._pseudo = pseudo_rows if pseudo_rows is not None else np.zeros(len(q_matrix), dtype=bool)
        # The pseudo-queries' texts, in row order (the KB's simulation asks them lexically too).
        self.pseudo_texts: dict[int, str] = dict(
            zip(np.flatnonzero(self._pseudo).tolist(), pseudo_texts, strict=False)
        )
        self._row_entry = np.repeat(np.arange(len(q_starts)), np.diff(np.append(q_starts, len(q_matrix))))
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
            per_text = vectors @ self._q.T
            per_text[:, self._pseudo] = -1.0  # the level is measured between formal questions
            question = np.maximum.reduceat(per_text, self._q_starts, axis=1)
            answer = np.where(self.answer_present, vectors @ self._a.T, -1.0)
            question[np.arange(len(rows)), rows] = -1.0
            answer[np.arange(len(rows)), rows] = -1.0
            best.append(question.max(axis=1))
            chunks.append((question, answer))
        return float(np.median(np.concatenate(best))), chunks

    def simulated_signals(self, answer_weight: float) -> list[tuple[float, ...]]:
        """Signals of near-domain out-of-scope questions in this KB (an entry's question
        when the entry is absent), to set this KB's answer threshold."""
        out: list[tuple[float, ...]] = []
        for question, answer in self.simulated:
            mixed = (question + answer_weight * answer) / (1 + answer_weight)
            per_entry = np.where(self.answer_present, mixed, question) if answer_weight else question
            two = -np.partition(-per_entry, 1, axis=1)[:, :2]
            for first, second in two:
                lead = float(first - second)
                # Dense only: both rankings taken to agree (the cautious reading).
                out.append((lead, float(first) - self.neighbour_level, lead, 1.0, 1.0))
        return out

    def pseudo_sample(self, size: int = NEIGHBOUR_SAMPLE) -> list[tuple[int, int]]:
        """(entry, row of its first pseudo-query) for a fixed sample of the entries that
        have pseudo-queries (empty when none has)."""
        if not self._pseudo.any() or self.n_entries < 3:
            return []
        first = np.full(self.n_entries, -1, dtype=np.int64)
        rows_all = np.flatnonzero(self._pseudo)
        entries_of = self._row_entry[rows_all]
        first[entries_of[::-1]] = rows_all[::-1]  # the lowest pseudo row of each entry
        having = np.flatnonzero(first >= 0)
        rng = np.random.default_rng(12345)
        sample = np.sort(rng.choice(having, size=min(len(having), size), replace=False))
        return [(int(e), int(first[e])) for e in sample]

    def simulated_scores(self, entry: int, row: int) -> DenseScores:
        """The dense scores of pseudo-query `row` asked without its entry's pseudo-query
        vectors (the entry's formal question and answer stay: an in-scope question in a
        citizen's words). Leaving the whole entry out is the caller's business."""
        hide = (self._row_entry == entry) & self._pseudo
        return self.scores(self._q[row], hide_rows=hide)

    def query_vector(self, text: str) -> np.ndarray:
        return memo_query(self.encoder, text)

    def scores(self, vector: np.ndarray, *, hide_rows: np.ndarray | None = None) -> DenseScores:
        """Cosines of one query vector; `hide_rows` (a mask over question-side rows) leaves
        some texts out (the KB's own simulation)."""
        per_text = self._q @ vector
        if hide_rows is not None:
            per_text[hide_rows] = -1.0
        question = np.maximum.reduceat(per_text, self._q_starts)
        answer = np.where(self.answer_present, self._a @ vector, -1.0)
        return DenseScores(question=question, answer=answer)

    def per_entry(self, scores: DenseScores, config: MatcherConfig) -> np.ndarray:
        """One dense score per entry: the question side mixed with the answer opening."""
        per_entry = np.maximum(scores.question, scores.answer - config.answer_offset)
        if config.answer_weight:
            mixed = (per_entry + config.answer_weight * scores.answer) / (1 + config.answer_weight)
            per_entry = np.where(self.answer_present, mixed, per_entry)
        return per_entry


def build_dense(
    entry_texts: Sequence[tuple[Sequence[str], str] | tuple[Sequence[str], str, Sequence[str]]],
    encoder: Encoder,
    store: VectorStore | None = None,
    *,
    progress: Progress | None = None,
) -> DenseIndex:
    """entry_texts: per entry (question-side texts, answer[, pseudo-queries]). Vectors
    come from `store` when it has them; only missing ones are encoded."""
    store = store if store is not None else VectorStore()
    items: list[tuple[str, str]] = []
    starts: list[int] = []
    pseudo: list[bool] = []
    pseudo_texts: list[str] = []
    a_present: list[bool] = []
    for texts in entry_texts:
        questions, answer = texts[0], texts[1]
        extra = [t for t in (texts[2] if len(texts) > 2 else ()) if t.strip()]
        starts.append(len(items))
        q_texts = [t for t in questions if t.strip()] or [answer_opening(answer) or " "]
        items.extend(("q", t) for t in q_texts)
        items.extend(("q", t) for t in extra)
        pseudo.extend([False] * len(q_texts) + [True] * len(extra))
        pseudo_texts.extend(extra)
    a_items: list[tuple[str, str]] = []
    for texts in entry_texts:
        answer = texts[1]
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
        np.asarray(pseudo, dtype=bool),
        pseudo_texts,
    )
