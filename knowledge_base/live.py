"""The knowledge base the service answers from, kept current without a restart.

Entries change in this process (the office turns a gap cluster into an entry through the
API) or in another one (`kb import`, `kb gaps --create`, a second worker). `refresh()`
compares the table's version (service.entries_version: entry count and last change-log
id, one cheap query) with the one the index was built from and, when it moved, builds a
new index in a worker thread and swaps it in: questions keep being answered from the old
index meanwhile, and encoding (only entries whose text is new; the others' vectors come
from the store) never runs on the event loop. The service calls it right after its own
writes and every few seconds for other processes' (integrations.app).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.exc import SQLAlchemyError

from knowledge_base.matcher import Entry, KnowledgeBase
from knowledge_base.service import entries_version, load_active_entries
from tickets.db import SessionFactory

log = logging.getLogger(__name__)

Build = Callable[[Sequence[Entry]], KnowledgeBase]


class LiveKnowledgeBase:
    def __init__(self, sessions: SessionFactory, build: Build, shipped: Callable[[], list[Entry]]) -> None:
        self._sessions = sessions
        self._build = build
        self._shipped = shipped
        self._kb: KnowledgeBase | None = None
        self._version: tuple[int, int] | None = None
        self._lock = asyncio.Lock()
        self.builds = 0  # indexes built (tests and the log count them)

    @property
    def current(self) -> KnowledgeBase:
        if self._kb is None:
            raise RuntimeError("knowledge base not loaded yet: await refresh() first")
        return self._kb

    async def refresh(self) -> bool:
        """Rebuild when the entries changed since the last build; True when it did."""
        async with self._lock:
            try:
                async with self._sessions() as session:
                    version = await entries_version(session)
                    if self._kb is not None and version == self._version:
                        return False
                    entries = await load_active_entries(session)
            except (SQLAlchemyError, OSError) as error:
                if self._kb is not None:
                    log.warning(
                        "knowledge base not refreshed (%s): still serving the last one", type(error).__name__
                    )
                    return False
                # The service must start even before `init-db` (readyz tells the operator).
                log.warning(
                    "knowledge base not read from the database (%s): serving the shipped entries",
                    type(error).__name__,
                )
                version, entries = None, []
            if not entries:
                log.info("knowledge base table is empty: serving the shipped default entries")
                entries = self._shipped()
            kb = await asyncio.to_thread(self._build, entries)
            self._kb, self._version = kb, version
            self.builds += 1
            if self.builds > 1:
                log.info("knowledge base rebuilt: %d entries", len(kb))
            return True

    async def watch(self, every_seconds: float) -> None:
        """Refresh forever (a task of the app): other processes' imports show up within
        `every_seconds`."""
        while True:
            await asyncio.sleep(every_seconds)
            try:
                await self.refresh()
            except Exception:  # a failed rebuild must not stop the watcher; the old KB serves
                log.exception("knowledge base refresh failed")
