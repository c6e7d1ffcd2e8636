"""Similarity of requests: repeats of one citizen, and hotspots across citizens.

Representation: character 2-grams of the normalised text, sublinear tf, idf, L2 norm,
compared by cosine. Character bigrams need no segmentation (10x faster than jieba,
which matters when a week of tickets is vectorised), and they keep place names such
as "阳光小区" or "3栋" intact — for "the same matter" the place is half the matter.
idf is fitted on the batch at hand (the week of tickets), so boilerplate that every
ticket shares ("您好", "反映", "小区") weighs little.

- `text_similarity(a, b)`: one pair, no corpus, so no idf (tf cosine); for ad-hoc checks.
- `SimilarityIndex`: vectorise a week once, then compare a new ticket with all of it
  in one sparse product (`similar_to`, `repeats_of`).
- `find_hotspots(records, ...)`: a pure function over (id, citizen_key, time, text)
  records; the reports package calls it with the policy's hotspot numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge_base import segment
from knowledge_base.classify.errors import EmptyText
from knowledge_base.classify.texts import ERR_EMPTY_TEXT
from knowledge_base.normalize import normalize

# Cosine on idf-weighted character bigrams, chosen by reading clusters and pairs
# (bench/classify_hotspots.py and same-citizen pairs of tipdm2020c attachment 3):
# - hotspots at 0.2: every star cluster read was one matter at one place, told by each
#   citizen in quite different words; at 0.35 the one real hotspot falls apart.
# - repeats at 0.4: same-citizen pairs at ≥ 0.4 read as the same matter again (even when
#   asked from another angle); below, about half were another problem of the same
#   estate. A repeat must be closer than a hotspot member because it is compared
#   against everything one citizen ever sent.
REPEAT_THRESHOLD = 0.4
HOTSPOT_THRESHOLD = 0.2
# Long letters are cut: the matter and the place come first, and this bounds the cost.
MAX_CHARS = 800
_BLOCK = 2000


@dataclass(frozen=True, slots=True)
class TextRecord:
    """One request as similarity needs it. `time` must be timezone-aware."""

    id: Hashable
    citizen_key: str
    time: datetime
    text: str


@dataclass(frozen=True, slots=True)
class SimilarMatch:
    record: TextRecord
    score: float


@dataclass(frozen=True, slots=True)
class Hotspot:
    """≥ min_citizens similar requests from different citizens within one window."""

    seed_id: Hashable
    record_ids: tuple[Hashable, ...]
    citizens: int
    start: datetime
    end: datetime
    keywords: tuple[str, ...]
    mean_score: float


def _prepare(text: str) -> str:
    return normalize(text[: MAX_CHARS * 2])[:MAX_CHARS].replace(" ", "")


def _bigrams(text: str) -> list[str]:
    if len(text) < 2:
        return [text] if text else []
    return [text[i : i + 2] for i in range(len(text) - 1)]


def _analyzer(text: str) -> list[str]:
    return _bigrams(_prepare(text))


def text_similarity(a: str, b: str) -> float:
    """Cosine of the two texts' character-bigram counts (sublinear tf), 0.0 … 1.0."""
    if not a.strip() or not b.strip():
        raise EmptyText(ERR_EMPTY_TEXT)
    ca, cb = Counter(_analyzer(a)), Counter(_analyzer(b))
    if not ca or not cb:
        return 0.0
    wa = {k: 1.0 + np.log(v) for k, v in ca.items()}
    wb = {k: 1.0 + np.log(v) for k, v in cb.items()}
    dot = sum(w * wb[k] for k, w in wa.items() if k in wb)
    norm = np.sqrt(sum(w * w for w in wa.values())) * np.sqrt(sum(w * w for w in wb.values()))
    return float(round(dot / norm, 6))


class SimilarityIndex:
    """A batch of records (e.g. the last week) vectorised once; queries are one sparse product."""

    def __init__(self, records: Sequence[TextRecord]) -> None:
        self.records: list[TextRecord] = list(records)
        self._vectorizer = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, dtype=np.float32)
        texts = [r.text for r in self.records]
        if texts:
            self.matrix: sparse.csr_matrix = self._vectorizer.fit_transform(texts).tocsr()
        else:
            self.matrix = sparse.csr_matrix((0, 0), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.records)

    def add(self, records: Sequence[TextRecord]) -> None:
        """Append new tickets with the fitted vocabulary (refit daily to pick up new words)."""
        if not records:
            return
        if not self.records:
            fresh = SimilarityIndex(records)
            self.records, self._vectorizer, self.matrix = fresh.records, fresh._vectorizer, fresh.matrix
            return
        self.records.extend(records)
        self.matrix = sparse.vstack(
            [self.matrix, self._vectorizer.transform([r.text for r in records])]
        ).tocsr()

    def scores(self, text: str) -> np.ndarray:
        """Cosine of `text` with every record of the index, in index order."""
        if not text.strip():
            raise EmptyText(ERR_EMPTY_TEXT)
        if not self.records:
            return np.zeros(0, dtype=np.float32)
        vector = self._vectorizer.transform([text])
        return np.asarray((self.matrix @ vector.T).todense()).ravel()

    def similar_to(
        self,
        text: str,
        *,
        threshold: float = HOTSPOT_THRESHOLD,
        citizen_key: str | None = None,
        since: datetime | None = None,
        exclude_id: Hashable | None = None,
    ) -> list[SimilarMatch]:
        """Records at least `threshold` similar to `text`, best first, optionally one citizen's only."""
        scores = self.scores(text)
        out: list[SimilarMatch] = []
        for i in np.flatnonzero(scores >= threshold):
            record = self.records[int(i)]
            if citizen_key is not None and record.citizen_key != citizen_key:
                continue
            if since is not None and record.time < since:
                continue
            if exclude_id is not None and record.id == exclude_id:
                continue
            out.append(SimilarMatch(record, round(float(scores[i]), 4)))
        out.sort(key=lambda m: (-m.score, m.record.time))
        return out

    def repeats_of(
        self, record: TextRecord, *, threshold: float = REPEAT_THRESHOLD, since: datetime | None = None
    ) -> list[SimilarMatch]:
        """Earlier requests of the same citizen on the same matter (DOMAIN §4: 5 → supervision)."""
        matches = self.similar_to(
            record.text,
            threshold=threshold,
            citizen_key=record.citizen_key,
            since=since,
            exclude_id=record.id,
        )
        return [m for m in matches if m.record.time <= record.time]


def find_repeats(
    new: TextRecord,
    history: Sequence[TextRecord],
    *,
    threshold: float = REPEAT_THRESHOLD,
    since: datetime | None = None,
) -> list[SimilarMatch]:
    """The same citizen's earlier requests on the same matter, best first.

    Pass the period's tickets of all citizens as `history`, not only this citizen's:
    idf is fitted on it, and one citizen's own tickets share their matter's words, which
    idf over them alone would discount. A service keeps a `SimilarityIndex` instead.
    """
    if not any(r.citizen_key == new.citizen_key and r.id != new.id for r in history):
        return []
    others = [r for r in history if r.id != new.id]
    return SimilarityIndex([*others, new]).repeats_of(new, threshold=threshold, since=since)


def _neighbours(
    matrix: sparse.csr_matrix, times: np.ndarray, window_s: float, threshold: float
) -> list[np.ndarray]:
    """For each row (time-sorted), the rows within ±window that are ≥ threshold similar."""
    n = matrix.shape[0]
    result: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n
    for lo in range(0, n, _BLOCK):
        hi = min(n, lo + _BLOCK)
        c_lo = int(np.searchsorted(times, times[lo] - window_s, side="left"))
        c_hi = int(np.searchsorted(times, times[hi - 1] + window_s, side="right"))
        block = (matrix[lo:hi] @ matrix[c_lo:c_hi].T).tocsr()
        block.data[block.data < threshold] = 0
        block.eliminate_zeros()
        for r in range(hi - lo):
            start, end = block.indptr[r], block.indptr[r + 1]
            cols = block.indices[start:end] + c_lo
            row = lo + r
            near = np.abs(times[cols] - times[row]) <= window_s
            result[row] = np.sort(cols[near])
    return result


def _best_window(
    members: np.ndarray, seed: int, times: np.ndarray, citizens: list[str], window_s: float
) -> np.ndarray:
    """The members inside the window (containing the seed) with the most distinct citizens."""
    member_times = times[members]
    best = members[:0]
    best_count = -1
    seed_time = times[seed]
    for start in member_times:
        if start > seed_time or start + window_s < seed_time:
            continue
        lo = int(np.searchsorted(member_times, start, side="left"))
        hi = int(np.searchsorted(member_times, start + window_s, side="right"))
        inside = members[lo:hi]
        count = len({citizens[i] for i in inside})
        if count > best_count:
            best, best_count = inside, count
    return best


def find_hotspots(
    records: Sequence[TextRecord],
    *,
    min_citizens: int,
    window: timedelta,
    threshold: float = HOTSPOT_THRESHOLD,
) -> list[Hotspot]:
    """Groups of similar requests from ≥ `min_citizens` different citizens within `window`.

    Pure function: records in, hotspots out, nothing stored. Pass all tickets of the
    period (idf is fitted on them), not a pre-filtered subset. Pass the policy's numbers
    (`policy.supervision.hotspot_min_tickets`, `hotspot_window_days`). Each hotspot is a
    star around a seed request: every member is similar to the seed (no chaining, so a
    group cannot drift from one matter to another), all members lie within one window,
    and a request belongs to at most one hotspot. Biggest hotspots are taken first.
    """
    if min_citizens < 1:
        raise ValueError("min_citizens must be at least 1")
    usable = [r for r in records if r.text and r.text.strip()]
    if len(usable) < min_citizens:
        return []
    usable.sort(key=lambda r: r.time)
    times = np.array([r.time.timestamp() for r in usable], dtype=float)
    citizens = [r.citizen_key for r in usable]
    index = SimilarityIndex(usable)
    window_s = window.total_seconds()
    neighbours = _neighbours(index.matrix, times, window_s, threshold)

    taken = np.zeros(len(usable), dtype=bool)
    hotspots: list[Hotspot] = []
    # Seeds whose neighbourhood cannot reach the size are never worth a look.
    candidates = [i for i in range(len(usable)) if len({citizens[j] for j in neighbours[i]}) >= min_citizens]
    while candidates:
        best_seed, best_members, best_count = -1, np.zeros(0, dtype=np.int64), 0
        for seed in candidates:
            free = neighbours[seed][~taken[neighbours[seed]]]
            if taken[seed] or len(free) < min_citizens:
                continue
            inside = _best_window(free, seed, times, citizens, window_s)
            count = len({citizens[i] for i in inside})
            if count > best_count or (count == best_count and count and seed < best_seed):
                best_seed, best_members, best_count = seed, inside, count
        if best_count < min_citizens:
            break
        taken[best_members] = True
        seed_vec = index.matrix[best_seed]
        mean_score = float(np.asarray((index.matrix[best_members] @ seed_vec.T).todense()).mean())
        hotspots.append(
            Hotspot(
                seed_id=usable[best_seed].id,
                record_ids=tuple(usable[i].id for i in best_members),
                citizens=best_count,
                start=usable[int(best_members[0])].time,
                end=usable[int(best_members[-1])].time,
                keywords=_keywords([usable[i].text for i in best_members]),
                mean_score=round(mean_score, 4),
            )
        )
        candidates = [i for i in candidates if not taken[i]]
    return hotspots


def _keywords(texts: Sequence[str], k: int = 6) -> tuple[str, ...]:
    """Words most members share: a label for the office ("学位 小学 入学 …")."""
    seg = segment.load()
    df: Counter[str] = Counter()
    for text in texts:
        df.update({w for w in seg.tokenize(text[:MAX_CHARS]) if len(w) >= 2 and not w.isdigit()})
    ranked = sorted(df.items(), key=lambda item: (-item[1], item[0]))  # ties: stable across runs
    return tuple(word for word, _ in ranked[:k])
