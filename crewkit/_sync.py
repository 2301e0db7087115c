"""Run a coroutine from synchronous code, even where an event loop is already running."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine ``make()`` to completion and return its result.

    In a thread with a running loop (a notebook cell, an async web handler) the coroutine runs on a
    fresh loop in a helper thread, since the running loop cannot be re-entered.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    context = contextvars.copy_context()  # the caller's context (a tracing span) goes along
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crewkit-kickoff") as pool:
        return pool.submit(context.run, lambda: asyncio.run(make())).result()
