"""Web and news search through DuckDuckGo (``pip install crewkit[search]``).

Offline, rate-limited or without the extra, the tool answers at once with an observation that says
so, and the agent carries on with what it has; it never raises and never hangs past its timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from typing import Any, Literal

from crewkit import prompts
from crewkit.tools._tool import Tool

SearchBackend = Callable[[str, str, int, float], list[dict[str, Any]]]
"""``backend(kind, query, max_results, timeout)`` → result dicts (``title``, ``body``, ``href`` or
``url``, optionally ``date`` and ``source``)."""


def ddgs_backend(kind: str, query: str, max_results: int, timeout: float) -> list[dict[str, Any]]:
    """Search with the ``ddgs`` package (refused while ``CREWKIT_OFFLINE`` is set, as in tests)."""
    if os.environ.get("CREWKIT_OFFLINE", "").strip() not in ("", "0"):
        raise ConnectionError("offline mode: CREWKIT_OFFLINE is set")
    from ddgs import DDGS

    client = DDGS(timeout=int(max(1, timeout)))
    results = (
        client.news(query, max_results=max_results)
        if kind == "news"
        else client.text(query, max_results=max_results)
    )
    return list(results or [])


class WebSearch(Tool):
    """Search the web (or the news) and return the top results as text."""

    def __init__(
        self,
        *,
        kind: Literal["text", "news"] = "text",
        max_results: int = 5,
        timeout: float = 8.0,
        backend: SearchBackend | None = None,
        name: str | None = None,
    ) -> None:
        self.kind = kind
        self.max_results = max_results
        self.timeout = timeout
        self.backend = backend
        """Where results come from; ``None`` means ``ddgs`` (looked up at call time)."""
        self.name = name or ("news_search" if kind == "news" else "web_search")
        self.description = (
            "Search recent news articles. Returns titles, dates, sources and summaries."
            if kind == "news"
            else "Search the web. Returns titles, summaries and links."
        )

    async def arun(self, query: str) -> str:  # type: ignore[override]
        """Run the search in a worker thread, bounded by ``timeout``."""
        try:
            results = await asyncio.wait_for(
                _in_daemon_thread(
                    self.backend or ddgs_backend, self.kind, query, self.max_results, self.timeout
                ),
                self.timeout,
            )
        except ModuleNotFoundError:
            return prompts.render(
                "search_unavailable",
                reason="the search extra is not installed (pip install 'crewkit[search]')",
            )
        except asyncio.TimeoutError:
            return prompts.render(
                "search_unavailable", reason=f"no answer within {self.timeout:g} s"
            )
        except Exception as exc:
            return prompts.render("search_unavailable", reason=_short_error(exc))
        return prompts.render("search_results", query=query, results=[_result(r) for r in results])

    def run(self, query: str) -> str:  # type: ignore[override]
        """Synchronous form of :meth:`arun`."""
        return asyncio.run(self.arun(query))


def _in_daemon_thread(fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """Run ``fn`` on a daemon thread: unlike the default executor, a call that hangs past the
    timeout cannot hold up the end of the run (``asyncio.run`` waits for executor threads)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if not future.done():
            future.set_result(value) if ok else future.set_exception(value)

    def work() -> None:
        try:
            result: tuple[bool, Any] = (True, fn(*args))
        except BaseException as exc:
            result = (False, exc)
        # The run may have ended while the search was still hanging.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, *result)

    threading.Thread(target=work, name="crewkit-search", daemon=True).start()
    return future


def _result(raw: dict[str, Any]) -> dict[str, str]:
    return {
        "title": str(raw.get("title", "")).strip(),
        "body": " ".join(str(raw.get("body", "")).split())[:300],
        "url": str(raw.get("url") or raw.get("href") or ""),
        "date": str(raw.get("date", ""))[:10],
        "source": str(raw.get("source", "")),
    }


def _short_error(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}"
