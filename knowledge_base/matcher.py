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

import gc
import heapq
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

from knowledge_base.config import MatcherConfig
from knowledge_base.dense import DenseIndex, Simulated, build_dense
from knowledge_base.encoder import Encoder
from knowledge_base.intent import Facet, agreement, facets
from knowledge_base.normalize import normalize, strip_labels
from knowledge_base.pseudo import pseudo_queries
from knowledge_base.segment import Segmenter, get_segmenter
from knowledge_base.text_cache import PreparedTextCache
from knowledge_base.vectors import Progress, VectorStore

log = logging.getLogger(__name__)


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


class _Text:
    """One question or alternative, prepared once when the index is built."""

    __slots__ = ("bigrams", "chars", "joined", "tokens", "weight")

    def __init__(self, chars: str, joined: str, tokens: frozenset[str]) -> None:
        self.chars = chars  # normalised, spaces removed
        self.joined = joined  # tokens joined by spaces, for token_set_ratio
        self.tokens = tokens
        self.bigrams = _bigrams(chars)
        self.weight = 0.0  # idf sum of the tokens, set once the idf is known


@dataclass(slots=True)
class _Indexed:
    entry: Entry
    texts: list[_Text]
    keywords: tuple[tuple[str, frozenset[str]], ...]  # (normalised text, its tokens)
    all_tokens: frozenset[str]  # every token of every text and keyword
    all_chars: frozenset[str]
    facets: frozenset[Facet] = frozenset()  # what its question asks (knowledge_base/intent.py)


@dataclass(frozen=True, slots=True)
class Query:
    """A query prepared once against one knowledge base (the idf weights are its)."""

    chars: str
    joined: str
    tokens: frozenset[str]
    bigrams: frozenset[str]
    normalized: str = ""
    token_idf: dict[str, float] = field(default_factory=dict)
    token_weight: float = 0.0
    char_idf: dict[str, float] = field(default_factory=dict)
    char_weight: float = 0.0
    facets: frozenset[Facet] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.chars


def _bigrams(chars: str) -> frozenset[str]:
    if len(chars) < 2:
        return frozenset({chars}) if chars else frozenset()
    return frozenset([chars[i : i + 2] for i in range(len(chars) - 1)])


@dataclass(frozen=True, slots=True)
class Signals:
    """What the hybrid confidence is computed from; none depends on one KB's scale."""

    fused_lead: float  # fused score of the best minus the runner-up's
    dense_top: float  # best entry's cosine above the KB's own nearest-neighbour level
    dense_lead: float  # dense best minus dense runner-up
    dense_agrees: float = 1.0  # 1 when the dense ranking alone puts the same entry first
    lexical_agrees: float = 1.0  # 1 when the lexical score alone puts the same entry first
    # Measured and left out (bench/kb_signals.py, fitted on bench/kb_dev.py, checked on the
    # transfer set's tuning half): the best entry's lexical score and its lexical lead, the
    # idf share of the query's characters it covers and the query's length. They separated
    # right from wrong on the KB they were fitted on and lost answers on the other one.

    def as_tuple(self) -> tuple[float, ...]:
        return (self.fused_lead, self.dense_top, self.dense_lead, self.dense_agrees, self.lexical_agrees)


@dataclass(frozen=True, slots=True)
class Assessment:
    ranked: list[ScoredEntry]
    confidence: float
    signals: Signals | None = None
    answer_threshold: float | None = None  # this KB's own (hybrid), None = the config's


Features = tuple[float, float, float, float, float, float]
EntryFeatures = tuple[float, float, bool]


class KnowledgeBase:
    """An immutable, searchable set of entries; rebuild it when the entries change."""

    def __init__(
        self,
        entries: Iterable[Entry],
        *,
        config: MatcherConfig | None = None,
        segmenter: Segmenter | None = None,
        cache: PreparedTextCache | None = None,
        dense: DenseIndex | None = None,
    ) -> None:
        self.config = config or MatcherConfig()
        self.dense = dense
        self._seg = segmenter or get_segmenter()
        self._cache = cache if cache is not None and cache.fingerprint == self._seg.fingerprint else None
        # The build allocates hundreds of thousands of small objects and frees none of
        # them: the cyclic collector would rescan them all again and again for nothing.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._build(entries)
        finally:
            if gc_was_enabled:
                gc.enable()
        if dense is not None:
            dense.answer_threshold = self._own_threshold(dense)

    def _build(self, entries: Iterable[Entry]) -> None:
        self._items: list[_Indexed] = []
        self._by_id: dict[str, Entry] = {}
        postings: dict[str, list[int]] = defaultdict(list)
        char_df: dict[str, int] = defaultdict(int)
        for entry in entries:
            if entry.id in self._by_id:
                raise ValueError(f"duplicate knowledge-base entry id {entry.id!r}")
            idx = len(self._items)
            sides = (entry.question, *entry.alternatives)
            texts = [self._prepare(strip_labels(t)) for t in sides if t and t.strip()]
            texts = [t for t in texts if t.chars]
            keywords = tuple(
                (k.chars, k.tokens) for k in (self._prepare(k) for k in entry.keywords) if k.chars
            )
            all_tokens = frozenset().union(*(t.tokens for t in texts), *(kt for _, kt in keywords))
            all_chars = frozenset("".join([*(t.chars for t in texts), *(k for k, _ in keywords)]))
            self._items.append(
                _Indexed(
                    entry=entry,
                    texts=texts,
                    keywords=keywords,
                    all_tokens=all_tokens,
                    all_chars=all_chars,
                    facets=frozenset().union(*(facets(t.chars) for t in texts)),
                )
            )
            self._by_id[entry.id] = entry
            for ch in all_chars:
                char_df[ch] += 1
            grams = {"w" + token for token in all_tokens}
            grams.update("w" + keyword for keyword, _ in keywords)
            for text in texts:
                grams.update("c" + gram for gram in text.bigrams)
            for gram in grams:
                postings[gram].append(idx)
        n = max(len(self._items), 1)
        self._idf: dict[str, float] = {g: math.log(1 + n / len(p)) for g, p in postings.items()}
        self._max_idf = math.log(1 + n)
        self._char_idf: dict[str, float] = {c: math.log(1 + n / df) for c, df in char_df.items()}
        for item in self._items:
            for text in item.texts:
                text.weight = sum(self._idf["w" + t] for t in text.tokens)
        cap = max(self.config.min_posting_cap, int(self.config.max_posting_share * n))
        # Frozen tuples iterate faster than lists in the hot loop.
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
        cache = self._cache
        hit = cache.get(text) if cache is not None else None
        if hit is not None:
            chars, tokens = hit
        else:
            normalized = normalize(text)
            tokens = self._seg.tokenize_normalized(normalized)
            chars = normalized.replace(" ", "")
            if cache is not None:
                cache.put(text, chars, tokens)
        return _Text(chars=chars, joined=" ".join(tokens), tokens=frozenset(tokens))

    def prepare_query(self, text: str) -> Query:
        normalized = normalize(text)
        tokens = frozenset(self._seg.tokenize_normalized(normalized))
        chars = normalized.replace(" ", "")
        # Words and characters no entry uses weigh most: "天气" in "明天天气怎么样" must pull
        # the coverage down, which is what keeps off-topic questions unanswered.
        top = self._max_idf
        idf = self._idf
        token_idf = {t: idf.get("w" + t, top) for t in tokens}
        char_idf = {c: self._char_idf.get(c, top) for c in set(chars)}
        return Query(
            chars=chars,
            joined=" ".join(sorted(tokens)),
            tokens=tokens,
            bigrams=_bigrams(chars),
            normalized=normalized,
            token_idf=token_idf,
            token_weight=sum(token_idf.values()),
            char_idf=char_idf,
            char_weight=sum(char_idf.values()),
            facets=facets(chars),
        )

    def _retrieve(self, query: Query) -> list[int]:
        scores: dict[int, float] = {}
        get = scores.get
        postings = self._postings
        idf = self._idf
        for gram in [*("w" + t for t in query.tokens), *("c" + b for b in query.bigrams)]:
            hits = postings.get(gram)
            if hits:
                weight = idf[gram]
                for idx in hits:
                    scores[idx] = get(idx, 0.0) + weight
        if not scores:
            return []
        best = heapq.nlargest(self.config.candidates, scores.items(), key=itemgetter(1))
        # Candidates far behind the leader in shared rare words almost never win the
        # re-ranking; dropping them saves most of the fuzzy scoring on a large KB.
        floor = best[0][1] * self.config.candidate_floor
        return [idx for idx, score in best if score >= floor]

    @staticmethod
    def _entry_features(query: Query, item: _Indexed) -> EntryFeatures:
        """(idf share of the query's tokens found anywhere in the entry, idf share of the
        query's characters found in the entry, a keyword occurs in the query)."""
        token_idf = query.token_idf
        coverage = (
            sum([token_idf[t] for t in query.tokens & item.all_tokens]) / query.token_weight
            if query.token_weight
            else 0.0
        )
        char_idf = query.char_idf
        char_coverage = (
            sum([char_idf[c] for c in item.all_chars.intersection(char_idf)]) / query.char_weight
            if query.char_weight
            else 0.0
        )
        keyword_hit = any(k in query.chars or (kt and kt <= query.tokens) for k, kt in item.keywords)
        return coverage, char_coverage, keyword_hit

    def features(
        self, query: Query, indices: Iterable[int] | None = None
    ) -> list[tuple[Entry, list[Features], EntryFeatures]]:
        """Per retrieved candidate: the feature tuple of each of its texts and the entry-level
        features. Used by the scorer and by the threshold tuner (bench/kb_tune.py).

        Text features, each in [0, 1]: (query coverage, text coverage, bigram Dice,
        ratio, token_set_ratio, partial_ratio). The loop is written out with local
        names because it is most of the time of a query on a large knowledge base.
        """
        out = []
        q_tokens, q_bigrams, q_chars, q_joined = query.tokens, query.bigrams, query.chars, query.joined
        token_idf, token_weight = query.token_idf, query.token_weight
        n_q_bigrams, n_q_chars = len(q_bigrams), len(q_chars)
        ratio_fn, token_set_fn, partial_fn = fuzz.ratio, fuzz.token_set_ratio, fuzz.partial_ratio
        entry_features = self._entry_features
        items = self._items
        for idx in self._retrieve(query) if indices is None else indices:
            item = items[idx]
            feats = []
            for text in item.texts:
                common = q_tokens & text.tokens
                if common:
                    w_common = sum([token_idf[t] for t in common])
                    coverage_q = w_common / token_weight
                    coverage_t = w_common / text.weight
                else:
                    coverage_q = coverage_t = 0.0
                bigrams = text.bigrams
                shared = len(q_bigrams & bigrams)
                dice = 2 * shared / (n_q_bigrams + len(bigrams)) if shared else 0.0
                chars = text.chars
                ratio = ratio_fn(q_chars, chars) / 100
                token_set = token_set_fn(q_joined, text.joined) / 100 if q_joined else 0.0
                # The entry's question found inside a long, chatty message.
                partial = partial_fn(chars, q_chars) / 100 if n_q_chars > len(chars) else ratio
                feats.append((coverage_q, coverage_t, dice, ratio, token_set, partial))
            out.append((item.entry, feats, entry_features(query, item)))
        return out

    @staticmethod
    def combine(cfg: MatcherConfig, feats: list[Features], entry_feats: EntryFeatures) -> float:
        w1, w2, w3, w4, w5, w6 = (
            cfg.weight_query_coverage,
            cfg.weight_text_coverage,
            cfg.weight_bigram,
            cfg.weight_ratio,
            cfg.weight_token_set,
            cfg.weight_partial,
        )
        best = max(
            (w1 * a + w2 * b + w3 * c + w4 * d + w5 * e + w6 * f for a, b, c, d, e, f in feats), default=0.0
        )
        coverage, char_coverage, keyword_hit = entry_feats
        best += cfg.weight_entry_coverage * coverage + cfg.weight_entry_chars * char_coverage
        return best + cfg.keyword_bonus if keyword_hit else best

    def simulate(self, dense: DenseIndex) -> Simulated | None:
        """Each sampled entry's first pseudo-query asked of the KB through the whole hybrid
        path: without its own pseudo-query vectors (in scope: is the entry still first?)
        and without the entry (a near-domain question the KB does not cover). None when
        the entries carry no pseudo-queries."""
        sample = dense.pseudo_sample()
        if not sample:
            return None
        cfg = self.config
        in_scope: list[tuple[tuple[float, ...], bool]] = []
        out_of_scope: list[tuple[float, ...]] = []
        for entry, row in sample:
            query = self.prepare_query(dense.pseudo_texts.get(row, ""))
            if query.empty:
                continue
            per_entry = dense.per_entry(dense.simulated_scores(entry, row), cfg)
            fused, signals = self.rank_fused(query, per_entry)
            in_scope.append((signals.as_tuple(), fused[0][1] == entry))
            per_entry[entry] = -1.0
            if len(self._items) > 2:
                _, absent = self.rank_fused(query, per_entry, absent=entry)
                out_of_scope.append(absent.as_tuple())
        return Simulated(in_scope, out_of_scope)

    def _own_threshold(self, dense: DenseIndex) -> float:
        """This KB's answer threshold, within the configured floor and ceiling.

        With pseudo-queries: the lowest threshold whose estimated precision on the KB's
        own simulated questions reaches `hybrid_target_precision`, counting
        `hybrid_near_domain_share` near-domain out-of-scope questions per in-scope one.
        Without: high enough that only `hybrid_simulated_out_of_scope` of the simulated
        near-domain questions (the entries' own formal questions) would be answered."""
        cfg = self.config
        simulated = self.simulate(dense)
        if simulated is not None and simulated.in_scope:
            threshold = self._precision_threshold(simulated)
            if simulated.out_of_scope and cfg.hybrid_near_domain_answered < 1:
                # A KB whose entries have close siblings makes confident near-domain
                # mistakes: its own simulated ones say how confident, and lift the bar.
                confidences = [cfg.hybrid_confidence(s) for s in simulated.out_of_scope]
                guard = float(np.quantile(confidences, 1 - cfg.hybrid_near_domain_answered))
                threshold = min(cfg.hybrid_answer_ceiling, max(threshold, guard))
            return threshold
        confidences = [cfg.hybrid_confidence(s) for s in dense.simulated_signals(cfg.answer_weight)]
        if not confidences:
            # A KB too small to measure (under three entries): the cautious end of the band.
            return cfg.hybrid_answer_ceiling
        level = float(np.quantile(confidences, 1 - cfg.hybrid_simulated_out_of_scope))
        return min(cfg.hybrid_answer_ceiling, max(cfg.hybrid_answer_threshold, level))

    def _precision_threshold(self, simulated: Simulated) -> float:
        cfg = self.config
        pos = np.array([cfg.hybrid_confidence(s) for s, _ in simulated.in_scope])
        right = np.array([ok for _, ok in simulated.in_scope], dtype=bool)
        neg = np.array([cfg.hybrid_confidence(s) for s in simulated.out_of_scope])
        share = cfg.hybrid_near_domain_share * len(pos) / max(1, len(neg))
        candidates = np.unique(np.concatenate([pos, neg, [cfg.hybrid_answer_threshold]]))
        candidates = candidates[candidates >= cfg.hybrid_answer_threshold]
        # Estimated precision at each candidate threshold; the lowest one that keeps it.
        answered = pos[None, :] >= candidates[:, None]
        right_n = (answered & right[None, :]).sum(axis=1)
        total = answered.sum(axis=1) + share * (neg[None, :] >= candidates[:, None]).sum(axis=1)
        # Where no simulated question is answered at all, nothing wrong is either.
        keeps = right_n >= cfg.hybrid_target_precision * total
        threshold = float(candidates[keeps].min()) if keeps.any() else cfg.hybrid_answer_ceiling
        return min(cfg.hybrid_answer_ceiling, max(cfg.hybrid_answer_threshold, threshold))

    def prefetch(
        self, texts: Sequence[str], store: VectorStore | None = None, *, progress: Progress | None = None
    ) -> None:
        """Encode many questions at once (batched, in parallel, from `store` when it has
        them) into the encoder's memo: `kb eval` and benchmarks, not the live path."""
        if self.dense is None:
            return
        encoder = self.dense.encoder
        unique = [t for t in dict.fromkeys(normalize(t) for t in texts) if t.strip()]
        vectors = (store or VectorStore()).ensure(encoder, [("q", t) for t in unique], progress=progress)
        remember = getattr(encoder, "remember", None)
        if callable(remember):
            for text, vector in zip(unique, vectors, strict=True):
                remember(text, vector)

    def assess(self, query: Query) -> Assessment:
        """Ranked entries and the probability that the first is right."""
        if query.empty:
            return Assessment([], 0.0)
        if self.dense is None or len(self) == 0:
            ranked = self.search(query)
            if not ranked:
                return Assessment([], 0.0)
            lead = ranked[0].score - (ranked[1].score if len(ranked) > 1 else 0.0)
            return Assessment(ranked, round(self.config.confidence(ranked[0].score, lead), 4))
        return self._hybrid(query)

    def _hybrid(self, query: Query) -> Assessment:
        """Dense and lexical candidates, fused; confidence from KB-independent signals."""
        dense = self.dense
        assert dense is not None
        per_entry = dense.per_entry(dense.scores(dense.query_vector(query.normalized)), self.config)
        fused, signals = self.rank_fused(query, per_entry)
        items = self._items
        ranked = [ScoredEntry(items[i].entry, round(score, 4)) for score, i in fused]
        confidence = round(self.config.hybrid_confidence(signals.as_tuple()), 4)
        return Assessment(ranked, confidence, signals, answer_threshold=dense.answer_threshold)

    def rank_fused(
        self, query: Query, per_entry: np.ndarray, *, absent: int | None = None
    ) -> tuple[list[tuple[float, int]], Signals]:
        """Fused ranking (score, entry index) of the dense and lexical candidates, and the
        signals of its first. `absent`: an entry left out (the KB's own simulation)."""
        cfg = self.config
        dense = self.dense
        assert dense is not None
        k = min(cfg.dense_candidates, len(per_entry))
        top = np.argpartition(-per_entry, k - 1)[:k]
        candidates = [
            i for i in dict.fromkeys([*(int(i) for i in top), *self._retrieve(query)]) if i != absent
        ]
        lexical = {
            entry.id: self.combine(cfg, feats, hit) for entry, feats, hit in self.features(query, candidates)
        }
        items = self._items
        fused = []
        lex_of: list[float] = []
        for idx in candidates:
            lex = lexical[items[idx].entry.id]
            lex_of.append(lex)
            facet = cfg.weight_facet * agreement(query.facets, items[idx].facets)
            fused.append((float(per_entry[idx]) + cfg.weight_lexical * lex + facet, idx))
        order = sorted(range(len(fused)), key=lambda j: fused[j], reverse=True)
        fused = [fused[j] for j in order]
        lex_sorted = [lex_of[j] for j in order]
        best_idx = fused[0][1]
        dense_sorted = np.sort(per_entry[[i for _, i in fused]])[::-1]
        best_lex = lex_sorted[0]
        other_lex = max(lex_sorted[1:], default=0.0)
        signals = Signals(
            fused_lead=fused[0][0] - (fused[1][0] if len(fused) > 1 else fused[0][0] - 0.2),
            dense_top=float(per_entry[best_idx]) - dense.neighbour_level,
            dense_lead=float(dense_sorted[0] - (dense_sorted[1] if len(dense_sorted) > 1 else 0.0)),
            dense_agrees=float(per_entry[best_idx] >= dense_sorted[0]),
            lexical_agrees=float(best_lex >= other_lex),
        )
        return fused, signals

    def search(self, text: str | Query, *, limit: int | None = None) -> list[ScoredEntry]:
        """Entries ranked by confidence, best first (at most `candidates`)."""
        query = text if isinstance(text, Query) else self.prepare_query(text)
        if query.empty:
            return []
        if self.dense is not None and len(self):
            ranked = self._hybrid(query).ranked
            return ranked[:limit] if limit is not None else ranked
        cfg = self.config
        ranked = [
            ScoredEntry(entry=entry, score=round(self.combine(cfg, feats, hit), 4))
            for entry, feats, hit in self.features(query)
        ]
        ranked.sort(key=lambda s: s.score, reverse=True)
        return ranked[:limit] if limit is not None else ranked


def entry_texts(
    entries: Sequence[Entry], *, pseudo: int = 0
) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """What the dense index encodes per entry: question-side texts (normalised, as the
    queries are), the answer, and up to `pseudo` pseudo-queries of its question."""
    out = []
    for e in entries:
        questions = tuple(normalize(strip_labels(t)) for t in (e.question, *e.alternatives) if t)
        own = strip_labels(e.question)
        extra = tuple(normalize(t) for t in pseudo_queries(own, limit=pseudo)) if pseudo else ()
        out.append((questions, e.answer, tuple(t for t in extra if t not in questions)))
    return out


def build_knowledge_base(
    entries: Sequence[Entry],
    *,
    config: MatcherConfig | None = None,
    segmenter: Segmenter | None = None,
    cache_path: Path | None = None,
    encoder: Encoder | None = None,
    vector_path: Path | None = None,
    progress: Progress | None = None,
) -> KnowledgeBase:
    """Build the index, reusing and refreshing the prepared-text cache at `cache_path`
    and the entry vectors at `vector_path` (only missing vectors are encoded)."""
    entries = list(entries)
    dense = None
    if encoder is not None:
        store = VectorStore(vector_path)
        pseudo = (config or MatcherConfig()).pseudo_queries
        dense = build_dense(entry_texts(entries, pseudo=pseudo), encoder, store, progress=progress)
        if store.added:
            try:
                store.save()
            except OSError as error:  # a read-only disk must not stop the service
                log.warning("cannot write entry vectors %s: %s", vector_path, error)
    if cache_path is None:
        return KnowledgeBase(entries, config=config, segmenter=segmenter, dense=dense)
    seg = segmenter or get_segmenter()
    cache = PreparedTextCache.load(cache_path, seg.fingerprint)
    kb = KnowledgeBase(entries, config=config, segmenter=seg, cache=cache, dense=dense)
    if cache.misses:
        try:
            cache.save(cache_path)
        except OSError as error:  # a read-only disk must not stop the service
            log.warning("cannot write knowledge-base text cache %s: %s", cache_path, error)
    return kb
