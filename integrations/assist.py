"""The seams to the knowledge base and the classifier, as plain `text -> dict` callables
stored under KB_ASK and CLASSIFY. Views never decide bands or labels: they render
what knowledge_base.conversation / knowledge_base.classify return."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from knowledge_base import conversation
from knowledge_base.classify import EmptyText, Router, assess_urgency, classify_request_type
from knowledge_base.config import load_config, vector_path
from knowledge_base.encoder import load_encoder
from knowledge_base.files import active_entries, default_records
from knowledge_base.matcher import KnowledgeBase, ScoredEntry, build_knowledge_base
from knowledge_base.service import load_active_entries
from knowledge_base.vectors import log_progress
from tickets.db import SessionFactory

log = logging.getLogger("integrations.assist")
Ask = Callable[..., dict[str, Any]]


async def load_knowledge_base(sessions: SessionFactory) -> KnowledgeBase:
    """The office's entries from the database; the shipped defaults while it has none."""
    try:
        async with sessions() as session:
            entries = await load_active_entries(session)
    except (SQLAlchemyError, OSError) as error:
        # The service must start even before `init-db` (readyz tells the operator).
        log.warning("knowledge base not read from the database (%s): serving the shipped entries",
                    type(error).__name__)
        entries = []
    if not entries:
        log.info("knowledge base table is empty: serving the shipped default entries")
        entries = active_entries(default_records())
    # Entry vectors come from the store written by `kb import`; only entries changed
    # since are encoded here, in a thread (the loop keeps serving health checks).
    return await asyncio.to_thread(
        build_knowledge_base, entries, config=load_config(), encoder=load_encoder(), vector_path=vector_path(),
        progress=log_progress,
    )


def _answer(scored: ScoredEntry) -> dict[str, Any]:
    entry = scored.entry
    return {"id": entry.id, "question": entry.question, "answer": entry.answer, "score": round(scored.score, 4),
            "unit": entry.unit, "category": entry.category}


def kb_asker(kb: KnowledgeBase) -> Ask:
    def ask(text: str, *, declined: frozenset[str] = frozenset()) -> dict[str, Any]:
        result = conversation.answer(kb, text, conversation.ConversationContext(declined_entry_ids=declined))
        return {
            "band": result.band.value,
            "confidence": round(result.confidence, 4),
            "next_action": result.next_action.value,
            "reply": conversation.reply_text(result),
            "answers": [_answer(s) for s in result.entries],
        }

    return ask


class ServedKnowledgeBase:
    """The knowledge base every channel answers from, replaceable while the app runs.

    A KnowledgeBase is immutable, and the app's keys cannot be reassigned once it has
    started; so the app holds this one object under KB (standing in for the KnowledgeBase:
    attributes are read from the current one) and KB_ASK (its `ask`). When entries change
    (the console's knowledge-base pages, a gap turned into an entry) `reload` rebuilds it
    from the table; a reader already holding the old one finishes with it."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.current = kb
        self._ask: Ask = kb_asker(kb)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.current, name)

    def __len__(self) -> int:
        return len(self.current)

    def ask(self, text: str, *, declined: frozenset[str] = frozenset()) -> dict[str, Any]:
        return self._ask(text, declined=declined)

    async def reload(self, sessions: SessionFactory) -> None:
        kb = await load_knowledge_base(sessions)
        self.current, self._ask = kb, kb_asker(kb)


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
            "suggestions": [{"label": s.label, "confidence": round(s.confidence, 4)} for s in route.suggestions],
        }

    return classify
