"""Matcher settings: retrieval sizes, scorer weights and the two band thresholds.

Shipped defaults live in `knowledge_base/data/matcher.yaml`; the thresholds there were
tuned with `bench/kb_tune.py` on the tuning half of `tests/data/kb_queries.csv` (the
other half is held out). An office may pass its own YAML with any subset of keys.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

MATCHER_FILE = "matcher.yaml"


class MatcherConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    candidates: int = Field(default=12, ge=1, description="entries re-ranked after retrieval")
    max_posting_share: float = Field(
        default=0.05, gt=0, le=1, description="grams in more entries than this share only re-rank"
    )
    min_posting_cap: int = Field(default=40, ge=1, description="…but never skip grams rarer than this")
    weight_overlap: float = Field(default=0.45, ge=0, description="idf-weighted token F1")
    weight_bigram: float = Field(default=0.25, ge=0, description="character bigram Dice")
    weight_ratio: float = Field(default=0.15, ge=0, description="rapidfuzz ratio on the whole text")
    weight_token_set: float = Field(default=0.15, ge=0, description="rapidfuzz token_set_ratio")
    keyword_bonus: float = Field(default=0.10, ge=0, description="added when an entry keyword occurs")
    answer_threshold: float = Field(default=0.55, ge=0, le=1.5, description="confidence for a direct answer")
    answer_margin: float = Field(default=0.05, ge=0, le=1, description="lead over the runner-up entry")
    suggest_threshold: float = Field(default=0.30, ge=0, le=1.5, description="confidence to be suggested")
    max_suggestions: int = Field(default=3, ge=1, le=10)

    def with_overrides(self, **changes: Any) -> MatcherConfig:
        return self.model_validate({**self.model_dump(), **changes})


def load_config(path: Path | None = None) -> MatcherConfig:
    """Shipped defaults, overridden by the keys of `path` when given."""
    shipped = resources.files("knowledge_base").joinpath("data", MATCHER_FILE).read_text(encoding="utf-8")
    values: dict[str, Any] = yaml.safe_load(shipped) or {}
    if path is not None:
        values.update(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})
    return MatcherConfig.model_validate(values)
