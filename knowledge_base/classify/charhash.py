"""Hashed character n-gram counts computed in numpy, for a whole batch at once.

Building a Python string per n-gram and hashing it (`FeatureHasher`) cost ~190 µs of
the ~400 µs a message took in a batch. Here every text's code points (spaces removed)
are laid end to end in one array, an n-gram is the tuple of its code points combined
into one 64-bit integer, and a multiplicative hash maps it to one of 2**bits columns:
a few numpy operations per batch, ~15 µs per message. N-grams that would span two
texts are dropped. Same features as before up to which n-grams collide (3-fold CV on
the tipdm train split unchanged within 0.001).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

# Larger than any code point: the base of the positional combination of an n-gram.
_BASE = np.uint64(0x110001)
# Fibonacci hashing: multiply by 2**64 / golden ratio, keep the top bits.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SEPARATOR = "\x00"  # never survives normalize(), which turns control characters into spaces


def char_ngram_counts(texts: Sequence[str], lo: int, hi: int, bits: int) -> sparse.csr_matrix:
    """Counts of the hashed character lo..hi-grams of each text (spaces removed), one row per text."""
    n_rows = len(texts)
    width = 2**bits
    if n_rows == 0:
        return sparse.csr_matrix((0, width), dtype=np.float64)
    joined = _SEPARATOR.join(t.replace(" ", "").replace(_SEPARATOR, "") for t in texts) + _SEPARATOR
    points = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    is_sep = points == 0
    # row[i]: index of the text position i belongs to (separators belong to the text they close).
    row = np.concatenate(([0], np.cumsum(is_sep)[:-1])).astype(np.int64)
    seps_before = np.concatenate(([0], np.cumsum(is_sep)))  # separators in points[:i]
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    shift = np.uint64(64 - bits)
    for n in range(lo, hi + 1):
        m = len(points) - n + 1
        if m <= 0:
            continue
        valid = seps_before[n : n + m] - seps_before[:m] == 0  # no separator inside the n-gram
        code = np.full(m, np.uint64(n))
        for j in range(n):
            code = code * _BASE + points[j : j + m]
        rows.append(row[:m][valid])
        cols.append(((code[valid] * _GOLDEN) >> shift).astype(np.int64))
    keys = np.concatenate([r * width + c for r, c in zip(rows, cols, strict=True)] or [np.zeros(0, np.int64)])
    # Sorted distinct (row, column) keys with their counts: a canonical CSR matrix directly.
    unique, counts = np.unique(keys, return_counts=True)
    indptr = np.searchsorted(unique, np.arange(n_rows + 1, dtype=np.int64) * width)
    return sparse.csr_matrix(
        (counts.astype(np.float64), (unique % width).astype(np.int32), indptr.astype(np.int32)),
        shape=(n_rows, width),
    )
