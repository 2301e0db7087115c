"""Tools agents can use: the :class:`Tool` base class, the :func:`tool` decorator, and ready-made
tools under the names CrewAI users know (files, web pages, document search, Serper), and CrewAI's
:class:`BaseTool` for ``_run``-style tools. They load on first use, so ``import crewkit`` does not
pay for them. Tool objects of other libraries (LangChain's) are accepted wherever tools are."""

from typing import TYPE_CHECKING, Any

from crewkit.tools._context import ToolContext
from crewkit.tools._registry import builtin_tools, register_tool
from crewkit.tools._tool import BoundTool, FunctionTool, Tool, tool

if TYPE_CHECKING:
    from crewkit.tools._base_tool import BaseTool
    from crewkit.tools._doc_search import (
        CSVSearchTool,
        DirectorySearchTool,
        JSONSearchTool,
        MDXSearchTool,
        PDFSearchTool,
        TXTSearchTool,
        WebsiteSearchTool,
    )
    from crewkit.tools._files import DirectoryReadTool, FileReadTool, FileWriterTool
    from crewkit.tools._search import WebSearch
    from crewkit.tools._web import ScrapeWebsiteTool, SerperDevTool

_LAZY = {
    "BaseTool": "_base_tool",
    "WebSearch": "_search",
    "FileReadTool": "_files",
    "FileWriterTool": "_files",
    "DirectoryReadTool": "_files",
    "ScrapeWebsiteTool": "_web",
    "SerperDevTool": "_web",
    "CSVSearchTool": "_doc_search",
    "DirectorySearchTool": "_doc_search",
    "JSONSearchTool": "_doc_search",
    "MDXSearchTool": "_doc_search",
    "PDFSearchTool": "_doc_search",
    "TXTSearchTool": "_doc_search",
    "WebsiteSearchTool": "_doc_search",
}

__all__ = [
    "BaseTool",
    "BoundTool",
    "CSVSearchTool",
    "DirectoryReadTool",
    "DirectorySearchTool",
    "FileReadTool",
    "FileWriterTool",
    "FunctionTool",
    "JSONSearchTool",
    "MDXSearchTool",
    "PDFSearchTool",
    "ScrapeWebsiteTool",
    "SerperDevTool",
    "TXTSearchTool",
    "Tool",
    "ToolContext",
    "WebSearch",
    "WebsiteSearchTool",
    "builtin_tools",
    "register_tool",
    "tool",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crewkit.tools' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"crewkit.tools.{module}"), name)
