"""Per-source rate limits of the citizens' pages (asking, filing, tracking look-ups): a sliding
window per key (client address, verified phone, ticket number) in this process's memory.
The SMS codes have their own limits in the database (tickets.verification), so they hold
across instances; these only blunt floods at the door and answer 429."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from tickets.clock import Clock

MAX_KEYS = 50_000


@dataclass
class Window:
    """At most `limit` events per `period` seconds per key."""

    limit: int
    period: float
    clock: Clock
    _events: dict[str, deque[datetime]] = field(default_factory=dict)

    def _live(self, key: str) -> deque[datetime]:
        now = self.clock.now()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= MAX_KEYS:
                self._prune(now)
            events = self._events[key] = deque()
        while events and (now - events[0]).total_seconds() >= self.period:
            events.popleft()
        return events

    def _prune(self, now: datetime) -> None:
        for key in [
            k for k, e in self._events.items() if not e or (now - e[-1]).total_seconds() >= self.period
        ]:
            del self._events[key]

    def retry_after(self, key: str) -> int:
        """0 if one more event is allowed now, else the seconds until it is."""
        events = self._live(key)
        if len(events) < self.limit:
            return 0
        return max(1, math.ceil(self.period - (self.clock.now() - events[0]).total_seconds()))

    def hit(self, key: str) -> int:
        """Count an event if allowed (returns 0), else the seconds to wait (nothing counted)."""
        wait = self.retry_after(key)
        if wait == 0:
            self._events[key].append(self.clock.now())
        return wait


@dataclass
class H5Limits:
    ask: Window
    file_by_address: Window
    file_by_phone: Window
    track_by_address: Window
    wrong_track_by_number: Window

    @classmethod
    def default(cls, clock: Clock) -> H5Limits:
        return cls(
            # A person types a question every few seconds at most; a script does not stop.
            ask=Window(30, 60, clock),
            file_by_address=Window(10, 3600, clock),
            file_by_phone=Window(5, 86400, clock),
            track_by_address=Window(30, 600, clock),
            # Four digits are guessable: five wrong tries per ticket per hour (the bot allows three).
            wrong_track_by_number=Window(5, 3600, clock),
        )
