"""The seams to the knowledge base and the classifier, as plain `text -> dict` callables
stored under KB_ASK and CLASSIFY. Views never decide bands or labels: they render
what knowledge_base.conversation / knowledge_base.classify return."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from knowledge_base import conversation
from knowledge_base.classify import EmptyText, Router, assess_urgency, classify_request_type
from knowledge_base.config import load_config, vector_path
from knowledge_base.encoder import load_encoder
from knowledge_base.files import active_entries, default_records
from knowledge_base.live import LiveKnowledgeBase
from knowledge_base.matcher import Entry, KnowledgeBase, ScoredEntry, build_knowledge_base
from knowledge_base.vectors import log_progress
from tickets.db import SessionFactory

log = logging.getLogger("integrations.assist")
Ask = Callable[..., dict[str, Any]]


def _build(entries: Sequence[Entry]) -> KnowledgeBase:
    # Entry vectors come from the store written by `kb import`; only entries changed
    # since are encoded, in the LiveKnowledgeBase's worker thread (the loop keeps serving).
    return build_knowledge_base(
        entries,
        config=load_config(),
        encoder=load_encoder(),
        vector_path=vector_path(),
        progress=log_progress,
    )


async def load_knowledge_base(sessions: SessionFactory) -> LiveKnowledgeBase:
    """The office's entries from the database (the shipped defaults while it has none),
    rebuilt when they change (knowledge_base.live)."""
    live = LiveKnowledgeBase(sessions, _build, lambda: active_entries(default_records()))
    await live.refresh()
    return live


def _answer(scored: ScoredEntry) -> dict[str, Any]:
    entry = scored.entry
    return {
        "id": entry.id,
        "question": entry.question,
        "answer": entry.answer,
        "score": round(scored.score, 4),
        "unit": entry.unit,
        "category": entry.category,
    }


def kb_asker(kb: Callable[[], KnowledgeBase]) -> Ask:
    """`kb` gives the current index (it is swapped when entries change)."""

    def ask(text: str, *, declined: frozenset[str] = frozenset()) -> dict[str, Any]:
        result = conversation.answer(
            kb(), text, conversation.ConversationContext(declined_entry_ids=declined)
        )
        reason = result.no_answer_reason
        return {
            "band": result.band.value,
            "confidence": round(result.confidence, 4),
            "next_action": result.next_action.value,
            "reply": conversation.reply_text(result),
            "answers": [_answer(s) for s in result.entries],
            # Only a real miss (not an empty message or a request for a person) is kept
            # for the office's gap list.
            "missed": reason is conversation.NoAnswerReason.NO_MATCH,
        }

    return ask


def classifier(router: Router) -> Callable[[str], dict[str, Any] | None]:
    """Request type, urgency and the top-3 routing labels of a text; None for an empty text."""

    def classify(text: str) -> dict[str, Any] | None:
        try:
            kind = classify_request_type(text)
            urgency = assess_urgency(text)
            route = router.route(text)
        except EmptyText:
            return None
        top = route.suggestions[0] if route.suggestions else None
        return {
            "category": top.label if top else None,
            "request_type": kind.type.value,
            "urgency": urgency.level.value,
            "confidence": round(top.confidence, 4) if top else 0.0,
            "source": route.source.value,
            "suggestions": [
                {"label": s.label, "confidence": round(s.confidence, 4)} for s in route.suggestions
            ],
        }

    return classify
