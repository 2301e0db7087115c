"""Typed descriptions of MCP servers for ``Agent(mcps=[...])`` (CrewAI's names)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crewkit.mcp._config import DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, ServerSpec


@dataclass(frozen=True)
class MCPServerStdio:
    """A local MCP server that crewkit starts as a process and talks to over stdin/stdout."""

    command: str
    """The program, e.g. ``"python"`` or ``"npx"``."""
    args: Sequence[str] = ()
    """Its arguments."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Extra environment variables for it (on top of a minimal safe environment)."""
    cwd: str | None = None
    """Its working directory."""
    tool_filter: Sequence[str] | None = None
    """Only these tools, by name; ``None`` for all."""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    """Seconds to start, initialise and list tools."""
    call_timeout: float = DEFAULT_CALL_TIMEOUT
    """Seconds one tool call may take."""

    def spec(self) -> ServerSpec:
        """The checked server description."""
        from crewkit.mcp._config import server_spec

        return server_spec(
            {
                "command": self.command, "args": list(self.args), "env": dict(self.env),
                "cwd": self.cwd, "tools": None if self.tool_filter is None else list(self.tool_filter),
                "connect_timeout": self.connect_timeout, "call_timeout": self.call_timeout,
            },
            "MCPServerStdio",
        )  # fmt: skip


@dataclass(frozen=True)
class MCPServerHTTP:
    """A remote MCP server reached over streamable HTTP (or SSE with ``streamable=False``)."""

    url: str
    """The endpoint, e.g. ``"http://127.0.0.1:8000/mcp"``."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Headers to send, e.g. an authorization header."""
    streamable: bool = True
    """Streamable HTTP (``True``) or the older SSE transport."""
    tool_filter: Sequence[str] | None = None
    """Only these tools, by name; ``None`` for all."""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    """Seconds to connect, initialise and list tools."""
    call_timeout: float = DEFAULT_CALL_TIMEOUT
    """Seconds one tool call may take."""

    def spec(self) -> ServerSpec:
        """The checked server description."""
        from crewkit.mcp._config import server_spec

        return server_spec(
            {
                "url": self.url, "headers": dict(self.headers),
                "transport": "streamable-http" if self.streamable else "sse",
                "tools": None if self.tool_filter is None else list(self.tool_filter),
                "connect_timeout": self.connect_timeout, "call_timeout": self.call_timeout,
            },
            "MCPServerHTTP",
        )  # fmt: skip
