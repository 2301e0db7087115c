"""MCP: the tools of Model Context Protocol servers as crewkit tools (``pip install crewkit[mcp]``).

``Agent(mcps=[...])`` names servers that each run starts and stops; :class:`MCPServerAdapter` starts
one for plain Python use. The ``mcp`` package (0.5-1 s to import) loads only when a server starts.
Every wait on a server is bounded: one that does not start raises
:class:`~crewkit.errors.MCPServerError` before any model call, and one that dies or hangs mid-run
becomes an observation the agent reads.
"""

from crewkit.mcp._adapter import MCPServerAdapter
from crewkit.mcp._config import MCPServerHTTP, MCPServerStdio

__all__ = ["MCPServerAdapter", "MCPServerHTTP", "MCPServerStdio"]
