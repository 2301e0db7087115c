"""Requests-per-minute limits that hold across concurrent tasks and concurrent runs."""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections import deque

PERIOD = 60.0
"""The window a per-minute limit counts over, in seconds."""


class RateLimiter:
    """Admits at most ``per_minute`` acquisitions in any window of ``PERIOD`` seconds.

    Each caller reserves its slot under a thread lock and then sleeps until it, so the limiter works
    from any thread and any event loop (``kickoff`` from several threads shares it).
    """

    def __init__(self, per_minute: int, period: float | None = None) -> None:
        self.per_minute = per_minute
        self.period = PERIOD if period is None else period
        self._slots: deque[float] = deque()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Claim the next free slot; returns the seconds to wait before using it."""
        with self._lock:
            now = time.monotonic()
            while self._slots and self._slots[0] <= now - self.period:
                self._slots.popleft()
            slot = now
            if len(self._slots) >= self.per_minute:
                slot = max(now, self._slots[-self.per_minute] + self.period)
            self._slots.append(slot)
            return slot - now

    async def acquire(self) -> None:
        """Wait until a request is allowed."""
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)


_limiters: weakref.WeakKeyDictionary[object, RateLimiter] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def limiter_for(owner: object, per_minute: int) -> RateLimiter:
    """The limiter shared by everything ``owner`` (a crew or agent definition) runs."""
    with _registry_lock:
        limiter = _limiters.get(owner)
        if limiter is None or limiter.per_minute != per_minute or limiter.period != PERIOD:
            limiter = _limiters[owner] = RateLimiter(per_minute)
        return limiter
