"""Requests-per-minute limits that hold across concurrent tasks and concurrent runs."""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Protocol

from crewkit._numbers import is_whole

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


class Limiter(Protocol):
    """What the model gateway waits on before a call: a local :class:`RateLimiter`, or one that
    asks a cluster-wide counter (``crewkit.batch`` on Ray)."""

    async def acquire(self) -> None:
        """Wait until a request is allowed."""


LimiterFactory = Callable[[str, int], Limiter]
"""Makes the limiter for a stable key (``model:…``, ``agent:…``, ``crew:…``) and a per-minute rate."""

_factory: LimiterFactory | None = None


def use_limiter_factory(factory: LimiterFactory | None) -> None:
    """Route every limit in this process through ``factory`` (a worker of a distributed batch, so
    that limits hold across the cluster), or back to local limiters with ``None``."""
    global _factory
    _factory = factory


def limit_key(owner: object) -> str:
    """The name of ``owner``'s limit that is the same in every process: the model label, the
    agent's role or the crew's name."""
    if isinstance(owner, str):
        return f"model:{owner}"
    role = getattr(owner, "role", None)
    if isinstance(role, str):
        return f"agent:{role}"
    return f"crew:{getattr(owner, 'name', None) or type(owner).__name__}"


_limiters: dict[tuple[object, int, float], RateLimiter] = {}
_registry_lock = threading.RLock()  # reentrant: a definition's weakref callback may fire inside


def shared_limiter(owner: object, per_minute: int) -> Limiter:
    """The one limiter for ``owner`` at ``per_minute`` requests a minute, process-wide.

    ``owner`` is a model label (every model object with that label draws from the same budget) or a
    definition, an agent or a crew (every run and concurrent task of it does); a definition is held
    weakly, so dropping it drops its limiter. This is crewkit's only limiter registry; the model
    gateway acquires the limiters, backends never do.
    """
    if not is_whole(per_minute, 1):
        raise ValueError(f"max_rpm must be a positive integer, got {per_minute!r}")
    if _factory is not None:
        return _factory(limit_key(owner), per_minute)
    held = owner if isinstance(owner, str) else weakref.ref(owner, _forget)
    key = (held, per_minute, PERIOD)
    with _registry_lock:
        limiter = _limiters.get(key)
        if limiter is None:
            limiter = _limiters[key] = RateLimiter(per_minute)
        return limiter


def _forget(dead: weakref.ref[object]) -> None:
    with _registry_lock:
        for key in [key for key in _limiters if key[0] is dead]:
            del _limiters[key]
