"""Built-in tools by name, so crew files can say ``tools: [search]``.

Modules that ship a tool register a factory here; crew files then name it. Factories are called only when
a crew uses the tool, so registering costs nothing at import.
"""

from __future__ import annotations

from collections.abc import Callable

from crewkit.tools._tool import Tool

ToolFactory = Callable[[], Tool]
"""Builds a fresh tool instance."""


def _web_search() -> Tool:
    from crewkit.tools._search import WebSearch

    return WebSearch()


def _news_search() -> Tool:
    from crewkit.tools._search import WebSearch

    return WebSearch(kind="news")


_factories: dict[str, ToolFactory] = {"web_search": _web_search, "news_search": _news_search}


def register_tool(name: str, factory: ToolFactory) -> None:
    """Make ``name`` usable in crew files' ``tools:`` lists."""
    _factories[name] = factory


def builtin_tools() -> list[str]:
    """Names of the registered built-in tools (possibly none)."""
    return sorted(_factories)


def builtin_tool(name: str) -> Tool | None:
    """A new instance of the built-in tool ``name``, or ``None`` if there is no such tool."""
    factory = _factories.get(name)
    return None if factory is None else factory()
