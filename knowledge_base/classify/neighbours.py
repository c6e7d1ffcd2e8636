"""Nearest training messages by cosine similarity, as class probabilities to blend with the SVM.

Many messages to the hotline repeat an earlier one (the same estate, the same bus line,
the same school); a linear model spreads such a case over its words, the nearest
neighbours recognise it whole. The votes of the k most similar training messages
(similarity squared, each class's votes divided by the square root of its size) are
averaged with the calibrated SVM probabilities.

The model file therefore holds every training message's hashed feature vector (not its
text, but character bigrams can be guessed back from their hashes with a dictionary):
keep model files with the office's other internal data, never in a public place.

Only mid- and low-frequency features count for the similarity: columns present in
more than `max_df` of the training messages (common characters such as 的, 我, 了,
particles, boilerplate) are dropped before the vectors are normalised. That makes the
similarity ~8x cheaper and the neighbours better (3-fold CV on the tipdm train split,
blend weight 0.4, mean of three fold seeds: 0.9136 with every feature, 0.9146 / 0.9156
without those in > 2 % / > 5 % of the messages; the default is 2 %, the cheaper).

Similarities are computed by gathering each query feature's posting list from the
index with numpy (no scipy matrix products: their set-up cost more than the arithmetic
for one message), and the same per-message selection serves a batch and a single
message, so both give the same probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# Messages scored together in one dense (rows x training messages) similarity block.
_CHUNK = 64


def _masked_unit_rows(
    blocks: Sequence[sparse.csr_matrix], keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (indptr, columns, values) of the feature blocks side by side, restricted
    to the `keep` columns, rows scaled to unit length. Plain arrays: building scipy
    matrices (`sparse.hstack`, products) cost more than the arithmetic for one message."""
    n_rows = blocks[0].shape[0]
    offsets = np.cumsum([0, *(b.shape[1] for b in blocks)])
    rows = np.concatenate([np.repeat(np.arange(n_rows), np.diff(b.indptr)) for b in blocks])
    columns = np.concatenate([b.indices.astype(np.int64) + o for b, o in zip(blocks, offsets, strict=False)])
    data = np.concatenate([np.asarray(b.data, dtype=np.float64) for b in blocks])
    chosen = (keep[columns] != 0) & (data != 0)
    order = np.argsort(rows[chosen], kind="stable")  # row by row, blocks in order: columns sorted
    rows, columns, data = rows[chosen][order], columns[chosen][order], data[chosen][order]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_rows))
    norms[norms == 0.0] = 1.0
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n_rows))))
    return indptr, columns, data / norms[rows]


@dataclass(frozen=True, slots=True)
class Neighbours:
    # (n_features, n_train) CSR float32: the training messages' unit vectors, transposed.
    index: sparse.csr_matrix
    # Class index (into the model's labels) of each training message.
    labels: np.ndarray
    # 1.0 for the feature columns used in the similarity, 0.0 for the dropped ones.
    keep: np.ndarray
    # 1 / sqrt(number of training messages of the class).
    class_scale: np.ndarray
    k: int

    @classmethod
    def fit(
        cls, blocks: Sequence[sparse.csr_matrix], labels: np.ndarray, n_classes: int, k: int, max_df: float
    ) -> Neighbours:
        """`blocks`: the training messages' TF-IDF rows per feature block; `labels`: their class indices."""
        n_rows = blocks[0].shape[0]
        df = np.concatenate([np.bincount(b.indices[b.data != 0], minlength=b.shape[1]) for b in blocks])
        keep = (df <= max_df * n_rows).astype(np.float32)
        indptr, columns, values = _masked_unit_rows(blocks, keep)
        unit = sparse.csr_matrix(
            (values.astype(np.float32), columns, indptr), shape=(n_rows, len(keep))
        )
        sizes = np.bincount(labels, minlength=n_classes).astype(np.float64)
        sizes[sizes == 0] = 1.0
        return cls(
            index=unit.T.tocsr(),
            labels=np.asarray(labels, dtype=np.int64),
            keep=keep,
            class_scale=1.0 / np.sqrt(sizes),
            k=k,
        )

    def probabilities(self, blocks: Sequence[sparse.csr_matrix]) -> np.ndarray:
        """Rows of class probabilities from the k nearest training messages, for the TF-IDF
        rows of each feature block; a message that shares no kept feature with any of them
        gets a row of zeros."""
        indptr, columns, values = _masked_unit_rows(blocks, self.keep)
        n_rows, n_classes, n_train = len(indptr) - 1, len(self.class_scale), len(self.labels)
        k = min(self.k, n_train)
        out = np.zeros((n_rows, n_classes))
        for start in range(0, n_rows, _CHUNK):
            stop = min(start + _CHUNK, n_rows)
            lo, hi = indptr[start], indptr[stop]
            similarity = self._similarity(
                np.repeat(np.arange(stop - start), np.diff(indptr[start : stop + 1])),
                columns[lo:hi],
                values[lo:hi],
                stop - start,
            )
            for r, row in enumerate(similarity, start):
                # Only the training messages sharing a feature; the same selection (and so the
                # same ties) whether the message comes alone or in a batch.
                (top,) = np.nonzero(row)
                if len(top) > k:
                    top = top[np.argpartition(-row[top], k - 1)[:k]]
                out[r] = np.bincount(self.labels[top], weights=row[top] ** 2, minlength=n_classes)
        out *= self.class_scale
        total = out.sum(axis=1, keepdims=True)
        np.divide(out, total, out=out, where=total > 0)
        return out

    def _similarity(
        self, rows: np.ndarray, columns: np.ndarray, values: np.ndarray, n_rows: int
    ) -> np.ndarray:
        """Dense (n_rows, n_train) cosine similarities: each query feature's posting list in
        the index, gathered at once and summed per (query, training message)."""
        n_train = len(self.labels)
        starts = self.index.indptr[columns]
        lengths = self.index.indptr[columns + 1] - starts
        ends = np.cumsum(lengths)
        positions = np.repeat(starts - ends + lengths, lengths) + np.arange(int(ends[-1]) if len(ends) else 0)
        weights = self.index.data[positions] * np.repeat(values, lengths)
        keys = np.repeat(rows, lengths) * n_train + self.index.indices[positions]
        return np.bincount(keys, weights=weights, minlength=n_rows * n_train).reshape(n_rows, n_train)


def blend(model: np.ndarray, neighbours: np.ndarray, weight: float) -> np.ndarray:
    """(1 - weight) * model + weight * neighbours; rows without neighbours keep the model's."""
    has = neighbours.sum(axis=1, keepdims=True) > 0
    return np.where(has, (1.0 - weight) * model + weight * neighbours, model)
