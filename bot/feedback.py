"""「解决了」/「没解决」 stored through the knowledge-base service, per entry."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import log
from knowledge_base import service as kb_service
from tickets.clock import Clock
from tickets.errors import NotFound


class StoredFeedback:
    """A FeedbackRecorder writing kb_feedback rows (the caller commits)."""

    def __init__(self, clock: Clock, channel: str = "telegram") -> None:
        self.clock = clock
        self.channel = channel

    async def __call__(self, session: AsyncSession, entry_id: str, solved: bool, question: str,
                       user_id: int) -> None:
        try:
            await kb_service.record_feedback(session, key=entry_id, solved=solved, clock=self.clock,
                                             query=question, channel=self.channel)
        except NotFound:
            # The matcher served an entry that is no longer in the table (reloaded since): nothing to count.
            log.info("feedback on unknown knowledge-base entry %s dropped", entry_id)
