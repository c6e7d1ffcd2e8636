"""Category / unit routing: the top 3 suggestions the office dispatches with one button.

A `Router` is built once at start-up by `load_router()`: with a trained model file it
uses the model; without one (a new office, no history yet) it uses keyword rules —
the shipped category keywords, the office's own label → keywords file (a unit's
duties), or the unit field and keywords of knowledge-base entries
(`KeywordRouter.from_entries`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Protocol

import yaml

from knowledge_base.classify.errors import DataFileError, EmptyText
from knowledge_base.classify.model import TOP_K, LabelScore, TextClassifier
from knowledge_base.classify.texts import ERR_EMPTY_TEXT, ERR_FILE_NOT_FOUND, ERR_FILE_UNREADABLE
from knowledge_base.normalize import normalize

KEYWORDS_FILE = "category_keywords.yaml"


class RouteSource(StrEnum):
    MODEL = "model"
    KEYWORDS = "keywords"
    NONE = "none"  # nothing matched: the office chooses by hand


@dataclass(frozen=True, slots=True)
class RouteResult:
    suggestions: list[LabelScore]
    source: RouteSource


class _HasKeywords(Protocol):
    """What routing needs of a knowledge-base entry (avoids importing the matcher)."""

    @property
    def keywords(self) -> Sequence[str]: ...
    @property
    def unit(self) -> str: ...
    @property
    def category(self) -> str: ...


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


class KeywordRouter:
    """Label → keywords. A label scores the summed length of its keywords found in the text."""

    def __init__(self, rules: Mapping[str, Sequence[str]]) -> None:
        self.rules: dict[str, tuple[str, ...]] = {}
        for label, words in rules.items():
            cleaned = tuple(dict.fromkeys(w for w in (_compact(str(x)) for x in words) if w))
            if str(label).strip() and cleaned:
                self.rules[str(label).strip()] = cleaned

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> KeywordRouter:
        """From (label, keyword) pairs, e.g. the unit field and keywords of knowledge-base entries."""
        grouped: dict[str, list[str]] = defaultdict(list)
        for label, keyword in pairs:
            grouped[label].append(keyword)
        return cls(grouped)

    @classmethod
    def from_entries(cls, entries: Iterable[_HasKeywords], *, by: str = "unit") -> KeywordRouter:
        """From knowledge-base entries (`matcher.Entry`): each entry's keywords vote for its
        unit (or `by="category"`). Entries without that field or without keywords are skipped."""
        if by not in ("unit", "category"):
            raise ValueError("by must be 'unit' or 'category'")
        return cls.from_pairs(
            (getattr(e, by), keyword) for e in entries if getattr(e, by) for keyword in e.keywords
        )

    @classmethod
    def from_yaml(cls, path: Path | None = None) -> KeywordRouter:
        """The shipped category keywords, or the office's own YAML file (label: [keywords])."""
        if path is None:
            text = (
                resources.files("knowledge_base.classify").joinpath(KEYWORDS_FILE).read_text(encoding="utf-8")
            )
        else:
            path = Path(path)
            if not path.is_file():
                raise DataFileError(ERR_FILE_NOT_FOUND.format(path=path))
            text = path.read_text(encoding="utf-8")
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise DataFileError(ERR_FILE_UNREADABLE.format(path=path, reason=exc)) from exc
        if not isinstance(data, dict):
            raise DataFileError(ERR_FILE_UNREADABLE.format(path=path, reason="应为“标签: [关键词, …]”的形式"))
        return cls({str(k): [str(w) for w in (v or [])] for k, v in data.items()})

    def scores(self, text: str) -> dict[str, float]:
        compact = _compact(text)
        if not compact:
            raise EmptyText(ERR_EMPTY_TEXT)
        found: dict[str, float] = {}
        for label, words in self.rules.items():
            score = float(sum(len(w) for w in words if w in compact))
            if score > 0:
                found[label] = score
        return found

    def route(self, text: str, k: int = TOP_K) -> list[LabelScore]:
        found = self.scores(text)
        total = sum(found.values())
        ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [LabelScore(label, round(score / total, 4)) for label, score in ranked]


class Router:
    """The start-up routing object: a trained model when present, else keyword rules."""

    def __init__(self, *, model: TextClassifier | None, keywords: KeywordRouter) -> None:
        self.model = model
        self.keywords = keywords

    def route(self, text: str, k: int = TOP_K) -> RouteResult:
        if not text or not text.strip():
            raise EmptyText(ERR_EMPTY_TEXT)
        if self.model is not None:
            return RouteResult(self.model.predict_top(text, k), RouteSource.MODEL)
        suggestions = self.keywords.route(text, k)
        return RouteResult(suggestions, RouteSource.KEYWORDS if suggestions else RouteSource.NONE)


def load_router(model_path: Path | None = None, keywords_path: Path | None = None) -> Router:
    """Call once at start-up. A missing or outdated model file is an error, not a silent fallback."""
    model = TextClassifier.load(model_path) if model_path is not None else None
    return Router(model=model, keywords=KeywordRouter.from_yaml(keywords_path))
