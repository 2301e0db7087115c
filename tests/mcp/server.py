"""A small MCP server for the tests, built with the ``mcp`` package's FastMCP.

Run over stdio (``python server.py``) or streamable HTTP (``python server.py --http PORT``). With
``MCP_TEST_PIDFILE`` set it appends its process id there, so a test can check it was stopped.
"""

from __future__ import annotations

import asyncio
import os
import sys

from mcp.server.fastmcp import FastMCP

server = FastMCP("crewkit-test")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def shout(text: str, times: int = 1) -> str:
    """Upper-case a text, repeated ``times`` times."""
    return " ".join([text.upper()] * times)


@server.tool()
def fail() -> str:
    """Always fails."""
    raise ValueError("the ledger is locked")


@server.tool()
async def slow(seconds: float) -> str:
    """Answer after ``seconds``."""
    await asyncio.sleep(seconds)
    return "done"


@server.tool()
def die() -> str:
    """End the server process at once, as a crash would."""
    os._exit(3)


if __name__ == "__main__":
    if os.environ.get("MCP_TEST_PIDFILE"):
        with open(os.environ["MCP_TEST_PIDFILE"], "a") as handle:
            handle.write(f"{os.getpid()}\n")
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        server.settings.host = "127.0.0.1"
        server.settings.port = int(sys.argv[2])
        server.settings.log_level = "WARNING"
        server.run(transport="streamable-http")
    else:
        server.run()
