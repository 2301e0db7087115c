"""A run's MCP servers: every server its agents name, started together before the first model call
(one start per distinct server) and stopped when the run ends, however it ends."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from crewkit.errors import ConfigurationError
from crewkit.mcp._config import ServerSpec
from crewkit.mcp._connection import MCPConnection
from crewkit.mcp._tools import select_tools
from crewkit.tools._tool import Tool


class RunServers:
    """The started servers of one run, by server."""

    def __init__(self) -> None:
        self._connections: dict[tuple[Any, ...], MCPConnection] = {}

    @classmethod
    async def start(cls, specs: Sequence[ServerSpec]) -> RunServers:
        """Start every distinct server in ``specs`` at once; if one fails, stop the others and
        raise its :class:`~crewkit.errors.MCPServerError`."""
        servers = cls()
        distinct = {spec.key: spec for spec in specs}
        results = await asyncio.gather(
            *(asyncio.to_thread(MCPConnection(spec).start) for spec in distinct.values()),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        started = [r for r in results if isinstance(r, MCPConnection)]
        servers._connections = {c.spec.key: c for c in started}
        if failures:
            await servers.stop()
            raise failures[0]
        return servers

    def tools_for(self, owner: str, specs: Sequence[ServerSpec], own: Sequence[Tool]) -> list[Tool]:
        """The MCP tools an agent named (``owner`` in errors) gets from its servers ``specs``; a name
        already taken by one of its tools or another server's is a :class:`ConfigurationError`."""
        taken = {t.name: "its own tools" for t in own}
        tools: list[Tool] = []
        for spec in specs:
            for tool in select_tools(self._connections[spec.key], spec.tools):
                if tool.name in taken:
                    raise ConfigurationError(
                        f"{owner}: tool {tool.name!r} of MCP server {spec.label} has the same name "
                        f"as one in {taken[tool.name]}; keep one with a tools=[...] filter"
                    )
                taken[tool.name] = f"MCP server {spec.label}"
                tools.append(tool)
        return tools

    async def stop(self) -> None:
        """Stop every server (bounded: a few seconds each, in parallel)."""
        connections = list(self._connections.values())
        self._connections = {}
        await asyncio.gather(*(asyncio.to_thread(c.close) for c in connections))
