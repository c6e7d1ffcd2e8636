"""A bounded memo of knowledge-base answers.

Hotline questions repeat heavily (the same few dozen services make up most traffic), a
KnowledgeBase is immutable once built, and `answer()` is a pure function of the
knowledge base, the text and the conversation context. So a repeated question is served
from memory; a new KnowledgeBase object (after an import) starts a new memo.
"""

from __future__ import annotations

import asyncio
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

    def _lookup(self, kb: KnowledgeBase, key: tuple[str, frozenset[str]]) -> AnswerResult | None:
        if kb is not self._kb:
            self._kb = kb
            self._memo.clear()
        result = self._memo.get(key)
        if result is not None:
            self._memo.move_to_end(key)
            self.hits += 1
        else:
            self.misses += 1
        return result

    def _remember(self, kb: KnowledgeBase, key: tuple[str, frozenset[str]], result: AnswerResult) -> None:
        if kb is not self._kb:
            return  # the knowledge base was replaced while this answer was computed
        self._memo[key] = result
        if len(self._memo) > self.max_size:
            self._memo.popitem(last=False)

    async def answer_async(self, kb: KnowledgeBase, text: str, context: ConversationContext) -> AnswerResult:
        """The memo is read and written on the loop; a miss is computed in a worker thread
        (encoding the question is ~25 ms of C code that releases the GIL)."""
        key = (text, context.declined_entry_ids)
        result = self._lookup(kb, key)
        if result is None:
            result = await asyncio.to_thread(answer, kb, text, context)
            self._remember(kb, key, result)
        return result

    def answer(self, kb: KnowledgeBase, text: str, context: ConversationContext) -> AnswerResult:
        key = (text, context.declined_entry_ids)
        result = self._lookup(kb, key)
        if result is None:
            result = answer(kb, text, context)
            self._remember(kb, key, result)
        return result
