"""Chinese word segmentation with jieba, a domain dictionary, stop words and synonyms.

jieba builds its prefix dictionary in about a second, so it is loaded once by an
explicit `load()` at start-up (service start, CLI command, test fixture) and never
lazily on a citizen's first message: `tokenize()` before `load()` is a programming
error and raises `SegmenterNotLoaded`.

The word lists are plain text files in `knowledge_base/data/` (user_dict.txt,
stopwords.txt, synonyms.txt). An office extends them by putting files with the same
names in its own folder and passing it as `extra_dirs`; its lines are added to the
shipped ones.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jieba

from knowledge_base.normalize import NORMALIZE_VERSION, normalize, warm_up

USER_DICT_FILE = "user_dict.txt"
STOPWORDS_FILE = "stopwords.txt"
SYNONYMS_FILE = "synonyms.txt"

# A frequency high enough that jieba keeps a synonym whole inside a longer phrase.
_SYNONYM_FREQ = 2000


class SegmenterNotLoaded(RuntimeError):
    """tokenize() was called before knowledge_base.segment.load()."""


def _data_lines(text: str) -> Iterable[str]:
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            yield line


def _read_shipped(name: str) -> str:
    return resources.files("knowledge_base").joinpath("data", name).read_text(encoding="utf-8")


def _read_all(name: str, extra_dirs: Sequence[Path]) -> list[str]:
    lines = list(_data_lines(_read_shipped(name)))
    for folder in extra_dirs:
        path = Path(folder) / name
        if path.is_file():
            lines.extend(_data_lines(path.read_text(encoding="utf-8")))
    return lines


@dataclass(frozen=True, slots=True)
class Segmenter:
    """A loaded jieba tokenizer with the stop words and synonym map applied after it."""

    tokenizer: jieba.Tokenizer
    stopwords: frozenset[str]
    synonyms: dict[str, str]
    # Changes whenever the word lists, the normalisation or jieba change: prepared texts
    # cached under another fingerprint are stale (see knowledge_base.text_cache).
    fingerprint: str = ""

    def tokenize_normalized(self, text: str) -> list[str]:
        """Tokens of text already passed through `normalize()`."""
        if not text:
            return []
        # HMM off: its guesses at unknown words vary with context, which makes the same
        # typo segment differently in the query and in the entry; n-grams cover OOV words.
        words = self.tokenizer.lcut(text, HMM=False)
        out: list[str] = []
        for word in words:
            if word.isspace() or not word:
                continue
            word = self.synonyms.get(word, word)
            if word in self.stopwords:
                continue
            out.append(word)
        return out

    def tokenize(self, text: str) -> list[str]:
        return self.tokenize_normalized(normalize(text))


def build(extra_dirs: Sequence[Path] = ()) -> Segmenter:
    """A new segmenter from the shipped data files plus the office's extra folders."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    warm_up()

    synonym_lines = _read_all(SYNONYMS_FILE, extra_dirs)
    user_lines = _read_all(USER_DICT_FILE, extra_dirs)
    stop_lines = _read_all(STOPWORDS_FILE, extra_dirs)
    digest = hashlib.sha256()
    for part in (
        NORMALIZE_VERSION,
        getattr(jieba, "__version__", ""),
        *synonym_lines,
        "\0",
        *user_lines,
        "\0",
        *stop_lines,
    ):
        digest.update(part.encode("utf-8") + b"\n")

    synonyms: dict[str, str] = {}
    for line in synonym_lines:
        canonical, *others = (normalize(word) for word in line.split())
        if not canonical:
            continue
        for word in [canonical, *others]:
            if word:
                tokenizer.add_word(word, _SYNONYM_FREQ)
                if word != canonical:
                    synonyms[word] = canonical

    for line in user_lines:
        parts = line.split()
        word = normalize(parts[0])
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[2] if len(parts) > 2 else None
        if word:
            tokenizer.add_word(word, freq, tag)

    stopwords = frozenset(normalize(line) for line in stop_lines)
    return Segmenter(
        tokenizer=tokenizer, stopwords=stopwords, synonyms=synonyms, fingerprint=digest.hexdigest()
    )


_lock = threading.Lock()
_default: Segmenter | None = None


def load(extra_dirs: Sequence[Path] = (), *, force: bool = False) -> Segmenter:
    """Load jieba and the word lists now (start-up); later calls return the same one."""
    global _default
    with _lock:
        if _default is None or force:
            _default = build(extra_dirs)
        return _default


def is_loaded() -> bool:
    return _default is not None


def get_segmenter() -> Segmenter:
    if _default is None:
        raise SegmenterNotLoaded(
            "knowledge_base.segment.load() must run at start-up before the first tokenize()"
        )
    return _default


def tokenize(text: str) -> list[str]:
    """Normalised, segmented tokens of `text`, synonyms mapped, stop words removed."""
    return get_segmenter().tokenize(text)
