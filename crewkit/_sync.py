"""Async plumbing below everything that runs: a coroutine from synchronous code, blocking code off
the event loop, and a gather that leaves nothing running behind a failure."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import queue
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable
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
    context = contextvars.copy_context()  # the helper thread sees the caller's context variables
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crewkit-kickoff") as pool:
        return pool.submit(context.run, lambda: asyncio.run(make())).result()


class _DaemonThreads:
    """Daemon threads kept for blocking calls: a call takes an idle one, or starts one when all are
    busy. Starting a thread per call cost more than the rest of a kickoff; a thread stuck in a call
    that hangs is simply never idle again, and daemon threads never hold up the interpreter's exit."""

    def __init__(self) -> None:
        self._work: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._idle = 0
        self._lock = threading.Lock()

    def submit(self, work: Callable[[], None]) -> None:
        with self._lock:
            start = self._idle == 0
            if not start:
                self._idle -= 1
        self._work.put(work)
        if start:
            threading.Thread(target=self._serve, name="crewkit-blocking", daemon=True).start()

    def _serve(self) -> None:
        while True:
            self._work.get()()
            with self._lock:
                self._idle += 1


_threads = _DaemonThreads()


def _forget_threads() -> None:
    global _threads
    _threads = _DaemonThreads()  # a forked child has none of its parent's threads


os.register_at_fork(after_in_child=_forget_threads)


async def in_thread(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a daemon thread, awaited without blocking the loop.

    Unlike ``asyncio.to_thread`` nobody joins the thread: a caller that stops waiting (a time
    limit, a cancelled run) is free at once, and ``asyncio.run`` does not wait for a blocking tool
    to return before ``kickoff`` can raise. The thread's late result is dropped.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def settle(ok: bool, value: Any) -> None:
        if not future.done():
            (future.set_result if ok else future.set_exception)(value)

    def work() -> None:
        try:
            result: Any = context.run(fn, *args, **kwargs)
            ok = True
        except BaseException as exc:  # handed to the awaiting task, which decides
            result, ok = exc, False
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(settle, ok, result)

    _threads.submit(work)
    return await future


async def gather_or_cancel(steps: Iterable[Awaitable[T]]) -> list[T]:
    """Every result, in order; when one step fails, the others are cancelled and awaited before
    the error is raised, so nothing they do lands after the failure is reported."""
    tasks = [asyncio.ensure_future(step) for step in steps]
    if not tasks:
        return []
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        pending = [t for t in tasks if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    return [task.result() for task in tasks]
