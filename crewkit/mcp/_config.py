"""Where an agent's MCP servers are: the entries of ``Agent(mcps=[...])`` and crew.yaml's ``mcps:``
(URLs, mappings, or the typed :class:`MCPServerStdio` / :class:`MCPServerHTTP`), checked when the
agent is defined and turned into :class:`ServerSpec` records (no connection yet)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crewkit.errors import ConfigurationError

DEFAULT_CONNECT_TIMEOUT = 30.0
"""Seconds for a server to start, answer ``initialize`` and list its tools."""
DEFAULT_CALL_TIMEOUT = 60.0
"""Seconds one tool call may take before the agent is told the server gave no answer."""

_STDIO_KEYS = {"command", "args", "env", "cwd", "tools", "connect_timeout", "call_timeout"}
_HTTP_KEYS = {"url", "headers", "transport", "tools", "connect_timeout", "call_timeout"}
_TRANSPORTS = ("streamable-http", "sse")


@dataclass(frozen=True)
class ServerSpec:
    """How to reach one MCP server, and which of its tools to use."""

    command: str | None = None
    """A stdio server: the program to run."""
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    """Extra environment variables for a stdio server (never shown in errors)."""
    cwd: str | None = None
    url: str | None = None
    """An HTTP server: its endpoint."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """HTTP headers (e.g. authorization; never shown in errors)."""
    transport: str = "streamable-http"
    tools: tuple[str, ...] | None = None
    """Only these tools, by name; ``None`` for all."""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    call_timeout: float = DEFAULT_CALL_TIMEOUT

    @property
    def label(self) -> str:
        """How errors name the server: its command line, or its URL without query or credentials."""
        if self.command is not None:
            return " ".join([self.command, *self.args])[:200]
        from crewkit._fetch import safe_url

        return safe_url(self.url or "")

    @property
    def key(self) -> tuple[Any, ...]:
        """Identical servers named by several agents are started once."""
        return (
            self.command, self.args, tuple(sorted(self.env.items())), self.cwd, self.url,
            tuple(sorted(self.headers.items())), self.transport, self.connect_timeout,
        )  # fmt: skip


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
        return server_spec(
            {
                "url": self.url, "headers": dict(self.headers),
                "transport": "streamable-http" if self.streamable else "sse",
                "tools": None if self.tool_filter is None else list(self.tool_filter),
                "connect_timeout": self.connect_timeout, "call_timeout": self.call_timeout,
            },
            "MCPServerHTTP",
        )  # fmt: skip


def server_spec(entry: object, owner: str) -> ServerSpec:
    """One ``mcps`` entry as a :class:`ServerSpec`, or a :class:`ConfigurationError` saying what
    was expected."""
    if isinstance(entry, (MCPServerStdio, MCPServerHTTP)):
        return entry.spec()
    if isinstance(entry, str):
        return _from_string(entry, owner)
    if isinstance(entry, Mapping):
        return _from_mapping(entry, owner)
    if type(entry).__name__ == "StdioServerParameters":  # mcp's own class, as CrewAI users pass it
        return _from_mapping(
            {"command": entry.command, "args": entry.args, "env": entry.env, "cwd": entry.cwd},  # type: ignore[attr-defined]
            owner,
        )
    raise ConfigurationError(
        f"{owner}: an MCP server is a URL, a {{command: ..., args: [...]}} or {{url: ...}} mapping, "
        f"or MCPServerStdio/MCPServerHTTP; got {entry!r:.100}"
    )


def _from_string(text: str, owner: str) -> ServerSpec:
    url, _, tool = text.strip().partition("#")
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"{owner}: MCP server {text!r:.100} is not an http(s) URL; "
            "for a local server give {command: ..., args: [...]}"
        )
    return ServerSpec(url=url, tools=(tool,) if tool else None)


def _from_mapping(entry: Mapping[str, Any], owner: str) -> ServerSpec:
    keys = set(entry)
    stdio = "command" in entry
    if stdio == ("url" in entry):
        raise ConfigurationError(
            f"{owner}: an MCP server mapping needs either 'command' (a local server) or 'url', "
            f"got keys {sorted(keys)}"
        )
    allowed = _STDIO_KEYS if stdio else _HTTP_KEYS
    unknown = sorted(keys - allowed)
    if unknown:
        raise ConfigurationError(
            f"{owner}: unknown MCP server setting {', '.join(map(repr, unknown))}; "
            f"expected some of {', '.join(sorted(allowed))}"
        )
    common: dict[str, Any] = {
        "tools": _names(entry.get("tools"), owner),
        "connect_timeout": _seconds(entry, "connect_timeout", DEFAULT_CONNECT_TIMEOUT, owner),
        "call_timeout": _seconds(entry, "call_timeout", DEFAULT_CALL_TIMEOUT, owner),
    }
    if stdio:
        return ServerSpec(
            command=_text(entry["command"], "command", owner),
            args=tuple(_text(a, "args", owner) for a in _list(entry.get("args"), "args", owner)),
            env=_strings(entry.get("env"), "env", owner),
            cwd=None if entry.get("cwd") is None else _text(entry["cwd"], "cwd", owner),
            **common,
        )
    url = _text(entry["url"], "url", owner)
    if not url.startswith(("http://", "https://")):
        raise ConfigurationError(f"{owner}: MCP server url must start with http:// or https://")
    transport = entry.get("transport", "streamable-http")
    if transport not in _TRANSPORTS:
        raise ConfigurationError(
            f"{owner}: MCP transport must be one of {', '.join(_TRANSPORTS)}, got {transport!r}"
        )
    return ServerSpec(
        url=url, headers=_strings(entry.get("headers"), "headers", owner), transport=transport,
        **common,
    )  # fmt: skip


def _text(value: object, name: str, owner: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{owner}: MCP server {name} must be a non-empty string")
    return value


def _list(value: object, name: str, owner: str) -> Sequence[Any]:
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ConfigurationError(f"{owner}: MCP server {name} must be a list, got {value!r:.80}")
    return value


def _strings(value: object, name: str, owner: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigurationError(f"{owner}: MCP server {name} must map names to strings")
    return dict(value)


def _names(value: object, owner: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(_text(v, "tools", owner) for v in _list(value, "tools", owner))


def _seconds(entry: Mapping[str, Any], name: str, default: float, owner: str) -> float:
    value = entry.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigurationError(f"{owner}: MCP server {name} must be a positive number of seconds")
    return float(value)


def server_specs(entries: object, owner: str) -> list[ServerSpec]:
    """Every entry of an ``mcps`` list as a :class:`ServerSpec` (see :func:`server_spec`)."""
    if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Sequence):
        raise ConfigurationError(
            f"{owner}: mcps must be a list of MCP servers, got {entries!r:.100}"
        )
    import importlib.util

    spec = importlib.util.find_spec("mcp")
    if spec is None or spec.origin is None:  # no origin: a folder named mcp, not the package
        raise ConfigurationError(
            f"{owner}: MCP servers need the mcp extra: pip install 'crewkit[mcp]'"
        )
    return [server_spec(entry, f"{owner} mcps[{i}]") for i, entry in enumerate(entries)]
