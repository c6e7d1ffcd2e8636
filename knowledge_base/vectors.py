"""Entry vectors stored beside the database: a sidecar keyed by content hash + encoder.

Why a sidecar and not a column: `kb eval` works from files with no database at all and
must not re-encode a 2,000-entry KB on every rerun; one content-addressed store serves
both it and the service. The key is the SHA-1 of (encoder identity, kind, text), so an
entry whose text did not change keeps its vector whatever its id, a changed text gets a
new one, and a new encoder version finds no vector and re-embeds (with progress). The
file is `.npz` (numpy arrays, float16): loading it runs no code and 30,000 vectors load
in well under a second. Written atomically; an unreadable file is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from knowledge_base.encoder import Encoder

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
BATCH = 32
FORMAT = "kbvec2"


def log_progress(done: int, total: int) -> None:
    """Progress of a re-embedding at start-up (new encoder version, entries changed
    elsewhere) in the service log, every 512 texts."""
    if done == total or done % 512 == 0:
        log.info("encoding knowledge-base texts: %d/%d", done, total)


def text_key(identity: str, kind: str, text: str) -> bytes:
    return hashlib.sha1(f"{identity}\x1f{kind}\x1f{text}".encode()).digest()


class VectorStore:
    """Vectors by content key; `ensure` encodes only what is missing."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._rows: dict[bytes, np.ndarray] = {}
        self.added = 0
        if path is not None:
            self._load(path)

    def __len__(self) -> int:
        return len(self._rows)

    def _load(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["format"]) != FORMAT:
                    return
                keys = data["keys"]
                vectors = data["vectors"]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError) as error:
            log.warning("entry vector file %s unreadable, re-encoding: %s", path, error)
            return
        self._rows = {k.tobytes(): vectors[i] for i, k in enumerate(keys)}

    def ensure(
        self,
        encoder: Encoder,
        items: Sequence[tuple[str, str]],
        *,
        progress: Progress | None = None,
    ) -> np.ndarray:
        """float32 matrix of the (kind, text) items, encoding the missing ones in batches.

        kind "q" texts (questions, alternatives) are encoded as queries (e5's symmetric
        mode), kind "a" (answer openings) as passages.
        """
        keys = [text_key(encoder.identity, kind, text) for kind, text in items]
        missing: dict[bytes, tuple[str, str]] = {}
        for key, item in zip(keys, items, strict=True):
            if key not in self._rows and key not in missing:
                missing[key] = item
        todo = list(missing.items())
        done = 0
        for kind in ("q", "a"):
            batch_items = [(k, t) for k, (kd, t) in todo if kd == kind]
            for start in range(0, len(batch_items), BATCH):
                chunk = batch_items[start : start + BATCH]
                vectors = encoder.encode([t for _, t in chunk], is_query=kind == "q")
                for (key, _), vector in zip(chunk, vectors, strict=True):
                    self._rows[key] = vector.astype(np.float16)
                done += len(chunk)
                if progress is not None:
                    progress(done, len(todo))
        self.added += len(todo)
        if not keys:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        return np.stack([self._rows[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if self.path is None:
            return
        path = self.path
        keys = list(self._rows)
        vectors = np.stack([self._rows[k] for k in keys]) if keys else np.zeros((0, 0), dtype=np.float16)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp.npz")
        os.close(fd)
        try:
            np.savez(
                tmp,
                format=np.array(FORMAT),
                # Raw bytes, not an "S20" array: numpy strips a digest's trailing NULs.
                keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 20),
                vectors=vectors,
            )
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
