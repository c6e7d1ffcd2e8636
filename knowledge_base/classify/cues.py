"""Weighted cue patterns shared by the request-type and urgency rules.

Rules run on `normalize()`d text (simplified, half-width, punctuation turned into
spaces, Chinese numerals into digits), so patterns are written against that form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# A cue right after one of these is denied ("没有燃气泄漏", "不是投诉", "无人受伤").
_NEGATION = re.compile(r"(?:没有|没|不是|不|未|无|并非|别)\s?$")
_NEGATION_LOOKBACK = 3


@dataclass(frozen=True, slots=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float
    negatable: bool = True


@dataclass(frozen=True, slots=True)
class CueHit:
    text: str
    weight: float


def cue(pattern: str, weight: float, *, negatable: bool = True) -> Cue:
    return Cue(re.compile(pattern), weight, negatable)


def find_hits(text: str, cues: Iterable[Cue]) -> list[CueHit]:
    """Every cue that occurs in `text` un-negated, each counted once."""
    hits: list[CueHit] = []
    for item in cues:
        for match in item.pattern.finditer(text):
            before = text[max(0, match.start() - _NEGATION_LOOKBACK) : match.start()]
            if item.negatable and _NEGATION.search(before):
                continue
            hits.append(CueHit(match.group(0), item.weight))
            break
    return hits
