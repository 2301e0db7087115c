"""Requests-per-minute limits per model, shared by every agent (and every run) that uses it.

The limiter itself is the run's :class:`~crewkit._ratelimit.RateLimiter` (also behind
``Agent``/``Crew`` ``max_rpm``); this module only keys one instance per model label and limit.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from crewkit._numbers import is_whole

if TYPE_CHECKING:
    from crewkit._ratelimit import RateLimiter

_shared: dict[tuple[str, int], RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(key: str, max_rpm: int) -> RateLimiter:
    """The limiter for ``key`` (a model label) at ``max_rpm``: one object per key and limit,
    process-wide, so that every agent naming the same model draws from the same budget."""
    if not is_whole(max_rpm, 1):
        raise ValueError(f"max_rpm must be a positive integer, got {max_rpm!r}")
    from crewkit._ratelimit import RateLimiter

    with _shared_lock:
        limiter = _shared.get((key, max_rpm))
        if limiter is None:
            limiter = _shared[(key, max_rpm)] = RateLimiter(max_rpm)
        return limiter
