"""``MCPServerAdapter``: CrewAI's way to use an MCP server's tools from plain Python."""

from __future__ import annotations

from typing import Any

from crewkit.mcp._config import DEFAULT_CONNECT_TIMEOUT, server_spec
from crewkit.tools._tool import Tool


class MCPServerAdapter:
    """Starts an MCP server and offers its tools as crewkit tools.

    ``serverparams`` is a ``{"command": ..., "args": [...]}`` or ``{"url": ...}`` mapping (or mcp's
    ``StdioServerParameters``); ``tool_names`` keep only those tools. The server starts here and
    stops at :meth:`stop` or at the end of a ``with`` block::

        with MCPServerAdapter({"command": "python", "args": ["server.py"]}) as tools:
            agent = Agent(..., tools=tools)
            crew.kickoff()

    A server that does not start within ``connect_timeout`` seconds raises
    :class:`~crewkit.errors.MCPServerError`.
    """

    def __init__(
        self,
        serverparams: Any,
        *tool_names: str,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        call_timeout: float | None = None,
    ) -> None:
        from dataclasses import replace

        from crewkit.mcp._connection import MCPConnection
        from crewkit.mcp._tools import select_tools

        spec = server_spec(serverparams, "MCPServerAdapter")
        spec = replace(
            spec,
            tools=tuple(tool_names) if tool_names else spec.tools,
            connect_timeout=connect_timeout,
            call_timeout=call_timeout if call_timeout is not None else spec.call_timeout,
        )
        self._connection = MCPConnection(spec).start()
        try:
            self._tools = select_tools(self._connection, spec.tools)
        except BaseException:
            self._connection.close()
            raise

    @property
    def tools(self) -> list[Tool]:
        """The server's tools (those named, if names were given)."""
        return list(self._tools)

    def start(self) -> None:
        """Kept for CrewAI code: the server is already started by the constructor."""

    def stop(self) -> None:
        """Stop the server (its process, for a local one)."""
        self._connection.close()

    def __enter__(self) -> list[Tool]:
        return self.tools

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"MCPServerAdapter({self._connection.spec.label!r}, tools={[t.name for t in self._tools]})"
