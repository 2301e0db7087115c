"""One retry policy for every HTTP backend: what is retried, how long we wait, when we give up."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from crewkit.errors import LLMError, ProviderError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, bounded in attempts and in total time.

    The wait before attempt ``n + 1`` is ``initial_wait * 2**(n - 1)`` capped at ``max_wait``, minus up
    to ``jitter`` of itself at random, so clients that failed together do not retry together. A
    ``Retry-After`` from the server replaces that wait; when it asks for longer than ``max_time``
    allows, we give up at once rather than retry early.
    """

    max_attempts: int = 4
    """Requests made at most, the first included."""
    max_time: float = 90.0
    """Seconds after which no new attempt starts."""
    initial_wait: float = 1.0
    """Wait before the first retry, in seconds."""
    max_wait: float = 30.0
    """Longest single wait, in seconds."""
    jitter: float = 0.25
    """Fraction of each computed wait that is randomly removed."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be >= 1, got {self.max_attempts}")
        if min(self.max_time, self.initial_wait, self.max_wait) < 0:
            raise ValueError("RetryPolicy times must not be negative")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"RetryPolicy.jitter must be between 0 and 1, got {self.jitter}")

    def wait_before(self, attempt: int, error: BaseException | None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` after ``error`` ended attempt ``attempt``."""
        if isinstance(error, ProviderError) and error.retry_after is not None:
            return max(error.retry_after, 0.0)
        base = min(self.initial_wait * 2.0 ** (attempt - 1), self.max_wait)
        return base * (1 - self.jitter * random.random())


NO_RETRY = RetryPolicy(max_attempts=1)
"""Try once."""


async def call_with_retries(
    policy: RetryPolicy,
    attempt: Callable[[], Awaitable[T]],
    *,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``attempt`` until it succeeds or the policy gives up; the last error is raised with
    ``attempts`` set. ``sleep`` and ``clock`` default to the real ones (tests pass fakes)."""
    from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

    started = clock()

    def stop(state: RetryCallState) -> bool:
        if state.attempt_number >= policy.max_attempts:
            return True
        # Stop when the next wait would end past the budget, not only once it is already spent.
        wait = policy.wait_before(state.attempt_number, _error_of(state))
        return clock() - started + wait > policy.max_time

    def wait(state: RetryCallState) -> float:
        return policy.wait_before(state.attempt_number, _error_of(state))

    extra = {"sleep": sleep} if sleep is not None else {}
    retrying = AsyncRetrying(
        stop=stop,
        wait=wait,
        retry=retry_if_exception(_retryable),
        reraise=True,
        **extra,  # type: ignore[arg-type]
    )
    attempts = 0
    try:
        async for state in retrying:
            with state:
                attempts = state.retry_state.attempt_number
                return await attempt()
    except LLMError as error:
        error.attempts = attempts
        raise
    raise AssertionError("unreachable: tenacity returns or raises")  # pragma: no cover


def _retryable(error: BaseException) -> bool:
    """Failures another attempt can fix; bad requests and bad keys (400/401/403/404) are not."""
    return isinstance(error, LLMError) and error.retryable


def _error_of(state: object) -> BaseException | None:
    outcome = getattr(state, "outcome", None)
    return outcome.exception() if outcome is not None and outcome.failed else None


def parse_retry_after(headers: dict[str, str] | object) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date); else ``None``."""
    get = getattr(headers, "get", None)
    if get is None:
        return None
    millis = get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
