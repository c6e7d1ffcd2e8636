"""FAQ matching: inverted-index retrieval, then rapidfuzz re-ranking of a few candidates.

Retrieval looks up the query's tokens and character bigrams in an inverted index and
sums their idf per entry; grams that occur in a large share of entries ("怎么") are
skipped there because their posting lists cost time and say little. The best
`candidates` entries are then scored against each of their texts (standard question
and every alternative) with five measures, and the keywords add a bonus:

- idf-weighted coverage of the query's tokens by the text's, and of the text's by the
  query's (tokens after synonyms; a word no entry uses weighs most),
- Dice coefficient of character bigrams (robust when jieba splits a typo differently),
- rapidfuzz `ratio` over the whole normalised text,
- rapidfuzz `token_set_ratio` over the token sequences.

The weighted sum is the entry's confidence, in [0, 1 + keyword_bonus]. Thresholds on
it are tuned on labelled data (knowledge_base/data/matcher.yaml).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from knowledge_base.config import MatcherConfig
from knowledge_base.normalize import normalize
from knowledge_base.segment import Segmenter, get_segmenter


@dataclass(frozen=True, slots=True)
class Entry:
    """One FAQ entry as the matcher and the files know it (the table is KnowledgeEntry)."""

    id: str
    question: str
    answer: str
    alternatives: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    unit: str = ""
    category: str = ""


@dataclass(frozen=True, slots=True)
class ScoredEntry:
    entry: Entry
    score: float


@dataclass(frozen=True, slots=True)
class _Text:
    chars: str  # normalised, spaces removed
    joined: str  # tokens joined by spaces, for token_set_ratio
    tokens: frozenset[str]
    bigrams: frozenset[str]


@dataclass(slots=True)
class _Indexed:
    entry: Entry
    texts: list[_Text]
    keywords: tuple[tuple[str, frozenset[str]], ...]  # (normalised text, its tokens)
    all_tokens: frozenset[str]  # every token of every text and keyword
    all_chars: frozenset[str]


@dataclass(frozen=True, slots=True)
class Query:
    """A query prepared once: normalised text, tokens, bigrams."""

    chars: str
    joined: str
    tokens: frozenset[str]
    bigrams: frozenset[str]
    normalized: str = field(default="")

    @property
    def empty(self) -> bool:
        return not self.chars


def _bigrams(chars: str) -> frozenset[str]:
    if len(chars) < 2:
        return frozenset({chars}) if chars else frozenset()
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1))


class KnowledgeBase:
    """An immutable, searchable set of entries; rebuild it when the entries change."""

    def __init__(
        self,
        entries: Iterable[Entry],
        *,
        config: MatcherConfig | None = None,
        segmenter: Segmenter | None = None,
    ) -> None:
        self.config = config or MatcherConfig()
        self._seg = segmenter or get_segmenter()
        self._items: list[_Indexed] = []
        self._by_id: dict[str, Entry] = {}
        postings: dict[str, set[int]] = defaultdict(set)
        char_df: dict[str, int] = defaultdict(int)
        for entry in entries:
            if entry.id in self._by_id:
                raise ValueError(f"duplicate knowledge-base entry id {entry.id!r}")
            idx = len(self._items)
            texts = [self._prepare(t) for t in (entry.question, *entry.alternatives) if t and t.strip()]
            texts = [t for t in texts if t.chars]
            keywords = tuple(
                (k.chars, k.tokens) for k in (self._prepare(k) for k in entry.keywords) if k.chars
            )
            all_tokens = frozenset().union(*(t.tokens for t in texts), *(kt for _, kt in keywords))
            all_chars = frozenset("".join([*(t.chars for t in texts), *(k for k, _ in keywords)]))
            self._items.append(
                _Indexed(
                    entry=entry, texts=texts, keywords=keywords, all_tokens=all_tokens, all_chars=all_chars
                )
            )
            for ch in all_chars:
                char_df[ch] += 1
            self._by_id[entry.id] = entry
            for text in texts:
                for token in text.tokens:
                    postings["w" + token].add(idx)
                for gram in text.bigrams:
                    postings["c" + gram].add(idx)
            for keyword, _ in keywords:
                postings["w" + keyword].add(idx)
        n = max(len(self._items), 1)
        self._idf: dict[str, float] = {g: math.log(1 + n / len(p)) for g, p in postings.items()}
        self._max_idf = math.log(1 + n)
        self._char_idf: dict[str, float] = {c: math.log(1 + n / df) for c, df in char_df.items()}
        cap = max(self.config.min_posting_cap, int(self.config.max_posting_share * n))
        # Frozen tuples iterate faster than sets in the hot loop.
        self._postings: dict[str, tuple[int, ...]] = {
            g: tuple(p) for g, p in postings.items() if len(p) <= cap
        }

    def __len__(self) -> int:
        return len(self._items)

    @property
    def entries(self) -> list[Entry]:
        return [item.entry for item in self._items]

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def _prepare(self, text: str) -> _Text:
        normalized = normalize(text)
        tokens = self._seg.tokenize_normalized(normalized)
        chars = normalized.replace(" ", "")
        return _Text(chars=chars, joined=" ".join(tokens), tokens=frozenset(tokens), bigrams=_bigrams(chars))

    def prepare_query(self, text: str) -> Query:
        normalized = normalize(text)
        tokens = self._seg.tokenize_normalized(normalized)
        chars = normalized.replace(" ", "")
        return Query(
            chars=chars,
            joined=" ".join(tokens),
            tokens=frozenset(tokens),
            bigrams=_bigrams(chars),
            normalized=normalized,
        )

    def _idf_of(self, token: str) -> float:
        # Words no entry uses weigh most: "天气" in "明天天气怎么样" must pull the
        # coverage down, which is what keeps off-topic questions unanswered.
        return self._idf.get("w" + token, self._max_idf)

    def _retrieve(self, query: Query) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        postings = self._postings
        idf = self._idf
        for gram in [*("w" + t for t in query.tokens), *("c" + b for b in query.bigrams)]:
            hits = postings.get(gram)
            if hits:
                weight = idf[gram]
                for idx in hits:
                    scores[idx] += weight
        if not scores:
            return []
        k = self.config.candidates
        return sorted(scores, key=scores.__getitem__, reverse=True)[:k]

    def _text_features(self, query: Query, text: _Text) -> tuple[float, float, float, float, float, float]:
        """(query coverage, text coverage, bigram Dice, ratio, token_set_ratio, partial_ratio),
        each in [0, 1]."""
        common = query.tokens & text.tokens
        if common:
            idf = self._idf_of
            w_common = sum(idf(t) for t in common)
            coverage_q = w_common / sum(idf(t) for t in query.tokens)
            coverage_t = w_common / sum(idf(t) for t in text.tokens)
        else:
            coverage_q = coverage_t = 0.0
        shared = len(query.bigrams & text.bigrams)
        dice = 2 * shared / (len(query.bigrams) + len(text.bigrams)) if shared else 0.0
        ratio = fuzz.ratio(query.chars, text.chars) / 100
        token_set = fuzz.token_set_ratio(query.joined, text.joined) / 100 if query.joined else 0.0
        # The entry's question found inside a long, chatty message.
        partial = (
            fuzz.partial_ratio(text.chars, query.chars) / 100 if len(query.chars) > len(text.chars) else ratio
        )
        return coverage_q, coverage_t, dice, ratio, token_set, partial

    def _entry_features(self, query: Query, item: _Indexed) -> tuple[float, float, bool]:
        """(idf share of the query's tokens found anywhere in the entry, idf share of the
        query's characters found in the entry, a keyword occurs in the query)."""
        idf = self._idf_of
        token_weight = sum(idf(t) for t in query.tokens)
        coverage = sum(idf(t) for t in query.tokens & item.all_tokens) / token_weight if token_weight else 0.0
        chars = set(query.chars)
        char_idf = self._char_idf
        top = self._max_idf
        char_weight = sum(char_idf.get(c, top) for c in chars)
        char_coverage = sum(char_idf[c] for c in chars & item.all_chars) / char_weight if char_weight else 0.0
        keyword_hit = any(k in query.chars or (kt and kt <= query.tokens) for k, kt in item.keywords)
        return coverage, char_coverage, keyword_hit

    def features(
        self, query: Query
    ) -> list[tuple[Entry, list[tuple[float, ...]], tuple[float, float, bool]]]:
        """Per retrieved candidate: the feature tuple of each of its texts and the entry-level
        features. Used by the scorer and by the threshold tuner (bench/kb_tune.py)."""
        out = []
        for idx in self._retrieve(query):
            item = self._items[idx]
            feats = [self._text_features(query, t) for t in item.texts]
            out.append((item.entry, feats, self._entry_features(query, item)))
        return out

    @staticmethod
    def combine(
        cfg: MatcherConfig, feats: list[tuple[float, ...]], entry_feats: tuple[float, float, bool]
    ) -> float:
        weights = (
            cfg.weight_query_coverage,
            cfg.weight_text_coverage,
            cfg.weight_bigram,
            cfg.weight_ratio,
            cfg.weight_token_set,
            cfg.weight_partial,
        )
        best = max((sum(w * f for w, f in zip(weights, fs, strict=True)) for fs in feats), default=0.0)
        coverage, char_coverage, keyword_hit = entry_feats
        best += cfg.weight_entry_coverage * coverage + cfg.weight_entry_chars * char_coverage
        return best + cfg.keyword_bonus if keyword_hit else best

    def search(self, text: str | Query, *, limit: int | None = None) -> list[ScoredEntry]:
        """Entries ranked by confidence, best first (at most `candidates`)."""
        query = text if isinstance(text, Query) else self.prepare_query(text)
        if query.empty:
            return []
        cfg = self.config
        ranked = [
            ScoredEntry(entry=entry, score=round(self.combine(cfg, feats, hit), 4))
            for entry, feats, hit in self.features(query)
        ]
        ranked.sort(key=lambda s: s.score, reverse=True)
        return ranked[:limit] if limit is not None else ranked


def build_knowledge_base(
    entries: Sequence[Entry], *, config: MatcherConfig | None = None, segmenter: Segmenter | None = None
) -> KnowledgeBase:
    return KnowledgeBase(entries, config=config, segmenter=segmenter)
