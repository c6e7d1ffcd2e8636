"""On-disk cache of prepared texts (normalised characters and tokens) for fast start-up.

Segmenting every question and alternative of a 10,000-entry knowledge base with jieba
takes several seconds; the result only changes when the text, the word lists, the
normalisation or jieba change. The cache maps each text to its prepared form under the
segmenter's fingerprint; a cache with another fingerprint, or an unreadable one, is
ignored (and rewritten), never trusted. JSON, not pickle: loading it runs no code.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT = 1


class PreparedTextCache:
    def __init__(self, fingerprint: str, data: dict[str, list[str]] | None = None) -> None:
        self.fingerprint = fingerprint
        self._data = data or {}
        self._used: set[str] = set()
        self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def get(self, text: str) -> tuple[str, list[str]] | None:
        """(characters, tokens) of a text prepared earlier, or None."""
        hit = self._data.get(text)
        if hit is None:
            self.misses += 1
            return None
        self._used.add(text)
        return hit[0], hit[1:]

    def put(self, text: str, chars: str, tokens: list[str]) -> None:
        self._data[text] = [chars, *tokens]
        self._used.add(text)

    @classmethod
    def load(cls, path: Path, fingerprint: str) -> PreparedTextCache:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(fingerprint)
        except (OSError, ValueError) as error:
            log.warning("knowledge-base text cache %s unreadable, rebuilding: %s", path, error)
            return cls(fingerprint)
        if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("fingerprint") != fingerprint:
            return cls(fingerprint)
        data = raw.get("texts")
        if not isinstance(data, dict):
            return cls(fingerprint)
        return cls(fingerprint, data)

    def save(self, path: Path) -> None:
        """Write only the texts of the last build (deleted entries do not pile up), atomically."""
        texts = {t: self._data[t] for t in self._used}
        payload = {"format": FORMAT, "fingerprint": self.fingerprint, "texts": texts}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
