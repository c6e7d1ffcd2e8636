"""The classifier's suggestion for a citizen's draft request, shown before filing for the
citizen to confirm or correct: request type, urgency and category. One function for every
channel (the bot's filing form, the H5 page), so they suggest alike."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from knowledge_base.classify.errors import ClassifyError
from knowledge_base.classify.request_type import classify_request_type
from knowledge_base.classify.routing import Router, load_router
from knowledge_base.classify.urgency import assess_urgency
from tickets.enums import RequestType, Urgency


@dataclass(frozen=True)
class DraftSuggestion:
    request_type: RequestType
    category: str
    urgency: Urgency


@lru_cache(maxsize=1)
def category_router() -> Router:
    """The shipped keyword router (a channel passes the trained model's Router when it has one)."""
    return load_router()


def category_labels() -> list[str]:
    """The categories a citizen may pick when correcting the suggestion (the router's labels)."""
    return list(category_router().keywords.rules)


def suggest_draft(content: str, router: Router | None = None) -> DraftSuggestion:
    try:
        request_type = classify_request_type(content).type
        urgency = assess_urgency(content).level
        routed = (router or category_router()).route(content, k=1).suggestions
    except ClassifyError:
        return DraftSuggestion(RequestType.COMPLAINT, "", Urgency.GENERAL)
    category = routed[0].label if routed else ""
    return DraftSuggestion(request_type, category[:50], urgency)
