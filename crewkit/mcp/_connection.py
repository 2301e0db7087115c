"""One MCP server session, kept on its own thread and event loop.

Why a thread: the ``mcp`` client's transports are anyio context managers that must be entered and
left in one task, while crewkit uses a server from sync code (``MCPServerAdapter``), from a run's
event loop, and from concurrent runs. A thread that owns the session serves all of them, and a server
that hangs can never block the caller's loop: every wait on it is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import tempfile
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from crewkit.errors import MCPServerError
from crewkit.mcp._config import ServerSpec

_CLOSE_TIMEOUT = 5.0
_STDERR_LINES = 8


class Unavailable(Exception):
    """The server cannot answer (it died, timed out or was closed); the message says which."""


class MCPConnection:
    """A started MCP server: its tools, and calls to them from any thread or event loop."""

    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        self.tools: list[Any] = []
        """The server's tool definitions (``mcp.types.Tool``), as listed at start."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._session: Any = None
        self._thread: threading.Thread | None = None
        self._dead: str | None = None
        # A stdio server's log goes here, not to the user's terminal; its tail explains a failed start.
        self._stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> MCPConnection:
        """Start the server and list its tools, within ``spec.connect_timeout`` seconds, or raise
        :class:`MCPServerError` (with the tail of a stdio server's output)."""
        ready: concurrent.futures.Future[list[Any]] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._main, args=(ready,), name=f"crewkit-mcp {self.spec.label}", daemon=True
        )
        self._thread.start()
        try:
            self.tools = ready.result(timeout=self.spec.connect_timeout)
            return self
        except concurrent.futures.TimeoutError:
            problem = f"did not start within {self.spec.connect_timeout:g} s"
        except Exception as exc:
            problem = f"failed to start: {describe(exc)}"
        self._shut_down()
        tail = self._stderr_tail()
        self.close()
        raise MCPServerError(
            f"MCP server {self.spec.label} {problem}{tail}", server=self.spec.label
        )

    def close(self) -> None:
        """Stop the session (and a stdio server's process); waits at most a few seconds."""
        self._shut_down()
        if self._thread is None or not self._thread.is_alive():
            self._stderr.close()

    def _shut_down(self) -> None:
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already stopped
                loop.call_soon_threadsafe(task.cancel)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(_CLOSE_TIMEOUT)
        self._dead = self._dead or "the connection was closed"

    def _main(self, ready: concurrent.futures.Future[list[Any]]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._task = loop.create_task(self._serve(ready))
            loop.run_until_complete(self._task)
        except BaseException as exc:  # the session ended badly; later calls say so at once
            if not ready.done():
                ready.set_exception(exc)
            self._dead = describe(exc)
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self, ready: concurrent.futures.Future[list[Any]]) -> None:
        from mcp import ClientSession

        async with contextlib.AsyncExitStack() as stack:
            streams = await stack.enter_async_context(self._transport())
            session = await stack.enter_async_context(ClientSession(streams[0], streams[1]))
            await session.initialize()
            tools: list[Any] = []
            cursor = None
            while True:
                page = await session.list_tools(cursor) if cursor else await session.list_tools()
                tools.extend(page.tools)
                cursor = page.nextCursor
                if not cursor:
                    break
            self._session = session
            if ready.done():  # the caller gave up waiting
                return
            ready.set_result(tools)
            await asyncio.Event().wait()  # serve calls until close() cancels this task

    def _transport(self) -> contextlib.AbstractAsyncContextManager[Any]:
        spec = self.spec
        if spec.command is not None:
            from mcp import StdioServerParameters
            from mcp.client.stdio import stdio_client

            params = StdioServerParameters(
                command=spec.command, args=list(spec.args), env=dict(spec.env) or None, cwd=spec.cwd
            )
            return stdio_client(params, errlog=self._stderr)
        assert spec.url is not None
        from crewkit._fetch import check_url

        check_url(spec.url)  # http(s) only, and nothing beyond this machine while offline
        if spec.transport == "sse":
            from mcp.client.sse import sse_client

            return sse_client(spec.url, headers=dict(spec.headers), timeout=spec.connect_timeout)
        return _streamable_http(spec.url, dict(spec.headers), spec.connect_timeout)

    # -- calls ----------------------------------------------------------------------------------

    async def call(self, name: str, arguments: Mapping[str, Any], timeout: float) -> Any:
        """Call tool ``name``; returns mcp's ``CallToolResult`` or raises :class:`Unavailable`."""
        loop, session = self._loop, self._session
        if self._dead is not None or loop is None or session is None or loop.is_closed():
            raise Unavailable(self._dead or "it is not running")
        try:
            future = asyncio.run_coroutine_threadsafe(
                session.call_tool(
                    name, dict(arguments), read_timeout_seconds=timedelta(seconds=timeout)
                ),
                loop,
            )
        except RuntimeError:  # the server's loop has just stopped
            raise Unavailable(self._dead or "it stopped") from None
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout + 1.0)
        except asyncio.TimeoutError:
            future.cancel()
            raise Unavailable(f"no answer within {timeout:g} s") from None
        except Exception as exc:
            reason = describe(exc)
            if "closed" in reason.lower() or "timed out" in reason.lower():
                if "closed" in reason.lower():
                    self._dead = f"it stopped ({reason})"
                raise Unavailable(reason) from None
            raise

    def _stderr_tail(self) -> str:
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            lines = [line.rstrip() for line in self._stderr.read().splitlines() if line.strip()]
        except (OSError, ValueError):
            return ""
        tail = lines[-_STDERR_LINES:]
        return ("; its last output:\n  " + "\n  ".join(tail)) if tail else ""


def _streamable_http(
    url: str, headers: dict[str, str], timeout: float
) -> contextlib.AbstractAsyncContextManager[Any]:
    import httpx

    try:
        from mcp.client.streamable_http import streamable_http_client
    except ImportError:  # mcp < 1.24
        from mcp.client.streamable_http import streamablehttp_client

        return streamablehttp_client(url, headers=headers, timeout=timeout)
    client = httpx.AsyncClient(
        headers=headers, timeout=httpx.Timeout(timeout, read=300.0), follow_redirects=False
    )

    @contextlib.asynccontextmanager
    async def connect() -> Any:
        async with client, streamable_http_client(url, http_client=client) as streams:
            yield streams

    return connect()


def describe(exc: BaseException) -> str:
    """The first real error inside ``exc`` (anyio wraps them in exception groups), in one line,
    without URLs' query strings (which may hold keys)."""
    from crewkit._fetch import redact_urls

    while getattr(exc, "exceptions", None):  # an ExceptionGroup (Python 3.11+, or anyio's backport)
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {redact_urls(text)[:300]}"
