"""A value per event loop (an HTTP connection pool, say), made on first use in that loop and closed
inside it when the loop shuts down.

Each kickoff runs on a loop of its own (``asyncio.run``), in this thread or a helper thread, and a
connection belongs to the loop that opened it; so a pool can be shared by every call on one loop,
never across loops. Closing rides on ``loop.shutdown_asyncgens()``, which ``asyncio.run`` (and
pytest's and anyio's runners) call before closing a loop: each value is held open by a suspended
async generator whose ``finally`` closes it, on its own loop, while that loop still runs. A loop
closed without that step keeps its value until the process ends. A forked child never touches
the values it inherits: asyncio gives it loops of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class LoopLocal(Generic[T]):
    """``await get()``: this loop's value, made by ``make()`` the first time and closed by
    ``close(value)`` as the loop shuts down."""

    def __init__(self, make: Callable[[], T], close: Callable[[T], Awaitable[object]]) -> None:
        self._make, self._close = make, close
        # The loop -> (value, keeper) entries; the keeper refers to its loop, so entries are
        # removed by the keeper itself as it closes, not by the loop's garbage collection.
        self._values: dict[asyncio.AbstractEventLoop, tuple[T, AsyncIterator[None]]] = {}
        self._lock = threading.Lock()

    async def get(self) -> T:
        """The running loop's value."""
        loop = asyncio.get_running_loop()
        entry = self._values.get(loop)
        if entry is not None:
            return entry[0]
        value = self._make()
        keeper = self._keep(loop, value)
        with self._lock:
            self._values[loop] = (value, keeper)
        # The first step registers the keeper with the loop's shutdown_asyncgens() and stops at
        # its yield, without giving way to another task: a concurrent get() finds the entry.
        await keeper.__anext__()
        return value

    async def _keep(self, loop: asyncio.AbstractEventLoop, value: T) -> AsyncIterator[None]:
        try:
            yield
        finally:
            with self._lock:
                self._values.pop(loop, None)
            await self._close(value)

    def __len__(self) -> int:
        """How many loops hold a value now."""
        return len(self._values)
