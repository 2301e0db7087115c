"""Built-in tools by name, so crew files can say ``tools: [web_search, FileReadTool]``.

Modules that ship a tool register a factory here; crew files then name it, optionally with settings
(``{use: FileReadTool, with: {file_path: notes.txt}}``). Factories are called only when a crew uses
the tool, so registering costs nothing at import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from crewkit.tools._tool import Tool

ToolFactory = Callable[..., Tool]
"""Builds a fresh tool instance from keyword settings (none, for most crew files)."""


def _web_search(**settings: Any) -> Tool:
    from crewkit.tools._search import WebSearch

    return WebSearch(**settings)


def _news_search(**settings: Any) -> Tool:
    from crewkit.tools._search import WebSearch

    return WebSearch(**{"kind": "news", **settings})


def _lazy(module: str, name: str) -> ToolFactory:
    def make(**settings: Any) -> Tool:
        cls: Any = getattr(importlib.import_module(f"crewkit.tools.{module}"), name)
        tool: Tool = cls(**settings)
        return tool

    return make


_factories: dict[str, ToolFactory] = {
    "web_search": _web_search,
    "news_search": _news_search,
    **{
        name: _lazy(module, name)
        for module, names in (
            ("_files", ("FileReadTool", "FileWriterTool", "DirectoryReadTool")),
            ("_web", ("ScrapeWebsiteTool", "SerperDevTool")),
            (
                "_doc_search",
                (
                    "TXTSearchTool", "CSVSearchTool", "JSONSearchTool", "PDFSearchTool",
                    "MDXSearchTool", "DirectorySearchTool", "WebsiteSearchTool",
                ),
            ),
        )
        for name in names
    },
}  # fmt: skip


def register_tool(name: str, factory: ToolFactory) -> None:
    """Make ``name`` usable in crew files' ``tools:`` lists."""
    _factories[name] = factory


def builtin_tools() -> list[str]:
    """Names of the registered built-in tools (possibly none)."""
    return sorted(_factories)


def builtin_tool(name: str, **settings: Any) -> Tool | None:
    """A new instance of the built-in tool ``name`` made with ``settings``, or ``None`` if there
    is no such tool."""
    factory = _factories.get(name)
    return None if factory is None else factory(**settings)
