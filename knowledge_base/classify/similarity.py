"""Similarity of requests: when two texts are about the same matter.

Representation: character 2-grams of the normalised text, sublinear tf, compared by
cosine. Character bigrams need no segmentation (10x faster than jieba), and they keep
place names such as "阳光小区" or "3栋" intact — for "the same matter" the place is half
the matter.

- `text_similarity(a, b)`: one pair, no corpus.
- `HOTSPOT_THRESHOLD`, `REPEAT_THRESHOLD`: the cut-offs read from labelled pairs.

Hotspots and repeats themselves are found in one place, reports/hotspots.py, with these.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import numpy as np

from knowledge_base.classify.errors import EmptyText
from knowledge_base.classify.texts import ERR_EMPTY_TEXT
from knowledge_base.normalize import normalize

# Chosen by reading clusters and pairs of tipdm2020c attachment 3, first with an idf-weighted
# batch finder (removed in issue 14); reports/hotspots.py applies them to `text_similarity`
# within one category and place, and bench/classify_hotspots.py shows what that finds:
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


def _prepare(text: str) -> str:
    return normalize(text[: MAX_CHARS * 2])[:MAX_CHARS].replace(" ", "")


def _bigrams(text: str) -> list[str]:
    if len(text) < 2:
        return [text] if text else []
    return [text[i : i + 2] for i in range(len(text) - 1)]


def _analyzer(text: str) -> list[str]:
    return _bigrams(_prepare(text))


@lru_cache(maxsize=8192)
def _weights(text: str) -> tuple[dict[str, float], float]:
    """A text's bigram weights and their norm. Cached: a finder compares each text with many
    (reports/hotspots.py), and normalising it (OpenCC, NFKC) costs more than the product."""
    counts = Counter(_analyzer(text))
    weights = {k: 1.0 + np.log(v) for k, v in counts.items()}
    return weights, np.sqrt(sum(w * w for w in weights.values()))


def text_similarity(a: str, b: str) -> float:
    """Cosine of the two texts' character-bigram counts (sublinear tf), 0.0 … 1.0."""
    if not a.strip() or not b.strip():
        raise EmptyText(ERR_EMPTY_TEXT)
    (wa, na), (wb, nb) = _weights(a), _weights(b)
    if not wa or not wb:
        return 0.0
    dot = sum(w * wb[k] for k, w in wa.items() if k in wb)
    return float(round(dot / (na * nb), 6))
