"""Requests-per-minute limits, shared by every agent (and every run) that uses the same model."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """Allows at most ``max_rpm`` acquisitions in any sliding 60-second window.

    Safe across event loops and threads (``kickoff()`` may start a fresh loop each time, and
    ``kickoff_for_each`` may run many at once): the bookkeeping is under a thread lock and waiting
    is an ``asyncio.sleep`` in whichever loop is asking.
    """

    def __init__(self, max_rpm: int, *, window: float = 60.0) -> None:
        if not isinstance(max_rpm, int) or isinstance(max_rpm, bool) or max_rpm < 1:
            raise ValueError(f"max_rpm must be a positive integer, got {max_rpm!r}")
        self.max_rpm = max_rpm
        """Acquisitions allowed per window."""
        self.window = window
        """Length of the sliding window in seconds (60 for per-minute limits)."""
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def _reserve(self) -> float:
        """Take a slot now if one is free and return 0, else return how long to wait."""
        with self._lock:
            now = time.monotonic()
            while self._times and now - self._times[0] >= self.window:
                self._times.popleft()
            if len(self._times) < self.max_rpm:
                self._times.append(now)
                return 0.0
            return self._times[0] + self.window - now

    async def acquire(self) -> None:
        """Wait until a request may be sent, then count it."""
        import asyncio

        while (delay := self._reserve()) > 0:
            await asyncio.sleep(delay)

    def __repr__(self) -> str:
        return f"<RateLimiter {self.max_rpm}/{self.window:g}s>"


_shared: dict[str, RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(key: str, max_rpm: int) -> RateLimiter:
    """The limiter for ``key`` (e.g. a model label): one object per key and limit, process-wide, so
    that every agent naming the same model draws from the same budget."""
    with _shared_lock:
        limiter = _shared.get(f"{key}@{max_rpm}")
        if limiter is None:
            limiter = _shared[f"{key}@{max_rpm}"] = RateLimiter(max_rpm)
        return limiter
