"""Matcher settings: retrieval sizes, scorer weights and the two band thresholds.

Shipped defaults live in `knowledge_base/data/matcher.yaml`; the thresholds there were
tuned with `bench/kb_tune.py` on the tuning half of `tests/data/kb_queries.csv` (the
other half is held out). An office may pass its own YAML with any subset of keys.
"""

from __future__ import annotations

import math
import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tickets.config_files import read_mapping, validate_file

MATCHER_FILE = "matcher.yaml"
VECTORS_ENV = "HOTLINE_KB_VECTORS"
DEFAULT_VECTORS = Path("var") / "kb_vectors.npz"
HYBRID_SIGNALS = 5  # knowledge_base.matcher.Signals.as_tuple


def vector_path() -> Path:
    """Where entry vectors are stored (content-addressed, shared by the service and `kb eval`)."""
    return Path(os.environ.get(VECTORS_ENV) or DEFAULT_VECTORS)


class MatcherConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    candidates: int = Field(default=6, ge=1, description="entries re-ranked after retrieval")
    candidate_floor: float = Field(
        default=0.0, ge=0, le=1, description="drop candidates below this share of the best retrieval score"
    )
    max_posting_share: float = Field(
        default=0.02, gt=0, le=1, description="grams in more entries than this share only re-rank"
    )
    min_posting_cap: int = Field(default=40, ge=1, description="…but never skip grams rarer than this")
    weight_query_coverage: float = Field(default=0.25, ge=0, description="idf share of query tokens matched")
    weight_text_coverage: float = Field(
        default=0.20, ge=0, description="idf share of entry-text tokens matched"
    )
    weight_bigram: float = Field(default=0.25, ge=0, description="character bigram Dice")
    weight_ratio: float = Field(default=0.15, ge=0, description="rapidfuzz ratio on the whole text")
    weight_token_set: float = Field(default=0.15, ge=0, description="rapidfuzz token_set_ratio")
    weight_partial: float = Field(default=0.0, ge=0, description="rapidfuzz partial_ratio (long messages)")
    weight_entry_coverage: float = Field(
        default=0.0, ge=0, description="idf share of query tokens found anywhere in the entry"
    )
    weight_entry_chars: float = Field(
        default=0.0, ge=0, description="idf share of query characters found in the entry (typos)"
    )
    keyword_bonus: float = Field(default=0.10, ge=0, description="added when an entry keyword occurs")
    lead_weight: float = Field(
        default=1.0, ge=0, description="weight of the lead over the runner-up in the confidence"
    )
    calibration_slope: float = Field(default=12.0, gt=0, description="Platt scaling of score + lead")
    calibration_intercept: float = Field(default=-7.0, description="Platt scaling of score + lead")
    answer_threshold: float = Field(default=0.8, ge=0, le=1, description="confidence for a direct answer")
    answer_margin: float = Field(default=0.0, ge=0, le=1, description="minimum lead over the runner-up")
    suggest_threshold: float = Field(default=0.30, ge=0, le=2, description="score to be suggested")
    max_suggestions: int = Field(default=3, ge=1, le=10)

    dense_candidates: int = Field(default=10, ge=1, description="entries taken from the dense ranking")
    weight_lexical: float = Field(default=0.05, ge=0, description="lexical score added to the cosine")
    weight_facet: float = Field(
        default=0.0, ge=0, description="added when a candidate asks the same facet as the query"
    )
    answer_offset: float = Field(
        default=1.0, ge=-1, le=1, description="answer-opening cosine counts this much less than a question's"
    )
    answer_weight: float = Field(
        default=1.0, ge=0, description="answer-opening cosine mixed into every entry"
    )
    hybrid_coefficients: tuple[float, ...] = Field(
        default=(16.694, 21.152, 13.694, 1.173, 0.354),
        description="logistic weights of (fused lead, cosine above the KB level, dense lead, "
        "dense ranking agrees, lexical ranking agrees)",
    )
    hybrid_intercept: float = Field(default=-1.411, description="logistic intercept of the hybrid confidence")
    hybrid_answer_threshold: float = Field(
        default=0.75, ge=0, le=1, description="lowest hybrid confidence for a direct answer (floor)"
    )
    hybrid_answer_ceiling: float = Field(
        default=0.97, ge=0, le=1, description="the KB's own threshold never goes above this"
    )
    hybrid_simulated_out_of_scope: float = Field(
        default=0.08, ge=0, le=1, description="share of simulated near-domain questions the KB may answer"
    )
    pseudo_queries: int = Field(
        default=2, ge=0, le=6, description="colloquial rephrasings of each entry's question encoded with it"
    )
    hybrid_target_precision: float = Field(
        default=0.97, ge=0, le=1, description="precision the KB's threshold keeps on its simulated questions"
    )
    hybrid_near_domain_share: float = Field(
        default=0.1, ge=0, description="near-domain out-of-scope questions expected per in-scope one"
    )
    hybrid_near_domain_answered: float = Field(
        default=0.3, ge=0, le=1,
        description="share of the KB's simulated near-domain questions its threshold may still answer",
    )
    hybrid_answer_min_lead: float = Field(
        default=0.0, ge=0, le=1, description="fused lead over the runner-up needed for a direct answer"
    )
    hybrid_answer_min_top: float = Field(
        default=-0.03, ge=-1, le=1, description="best cosine above the KB level needed for a direct answer"
    )
    hybrid_suggest_min_confidence: float = Field(
        default=0.0, ge=0, le=1, description="hybrid confidence below which 猜你想问 is not offered either"
    )
    hybrid_suggest_floor: float = Field(
        default=-0.05, ge=-1, le=1, description="best cosine above the KB level needed to offer 猜你想问"
    )

    @field_validator("hybrid_coefficients")
    @classmethod
    def _one_weight_per_signal(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        # An office YAML from before the agreement signals (three weights) is refused when
        # it is loaded, not by the first question.
        if len(value) != HYBRID_SIGNALS:
            raise ValueError(f"hybrid_coefficients needs {HYBRID_SIGNALS} weights, one per signal")
        return value

    def hybrid_confidence(self, signals: tuple[float, ...]) -> float:
        z = self.hybrid_intercept + sum(w * x for w, x in zip(self.hybrid_coefficients, signals, strict=True))
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))

    def confidence(self, score: float, lead: float) -> float:
        """Probability that the best entry is right, from its score and its lead over the
        runner-up (Platt scaling fitted on the tuning half of the labelled queries)."""
        z = self.calibration_slope * (score + self.lead_weight * lead) + self.calibration_intercept
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))

    def with_overrides(self, **changes: Any) -> MatcherConfig:
        return self.model_validate({**self.model_dump(), **changes})


def load_config(path: Path | None = None) -> MatcherConfig:
    """Shipped defaults, overridden by the keys of `path` when given."""
    shipped = resources.files("knowledge_base").joinpath("data", MATCHER_FILE).read_text(encoding="utf-8")
    values: dict[str, Any] = yaml.safe_load(shipped) or {}
    source: str | Path = f"knowledge_base/data/{MATCHER_FILE}"
    if path is not None:
        values.update(read_mapping(path))
        source = path
    return validate_file(MatcherConfig, values, source=source)
