"""A bounded memo of knowledge-base answers.

Hotline questions repeat heavily (the same few dozen services make up most traffic), a
KnowledgeBase is immutable once built, and `answer()` is a pure function of the
knowledge base, the text and the conversation context. So a repeated question is served
from memory; a new KnowledgeBase object (after an import) starts a new memo.
"""

from __future__ import annotations

from collections import OrderedDict

from knowledge_base.conversation import AnswerResult, ConversationContext, answer
from knowledge_base.matcher import KnowledgeBase


class AnswerMemo:
    def __init__(self, max_size: int = 10_000) -> None:
        self.max_size = max_size
        self._kb: KnowledgeBase | None = None
        self._memo: OrderedDict[tuple[str, frozenset[str]], AnswerResult] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def answer(self, kb: KnowledgeBase, text: str, context: ConversationContext) -> AnswerResult:
        if kb is not self._kb:
            self._kb = kb
            self._memo.clear()
        key = (text, context.declined_entry_ids)
        result = self._memo.get(key)
        if result is not None:
            self._memo.move_to_end(key)
            self.hits += 1
            return result
        self.misses += 1
        result = answer(kb, text, context)
        self._memo[key] = result
        if len(self._memo) > self.max_size:
            self._memo.popitem(last=False)
        return result
