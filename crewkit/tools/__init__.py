"""Tools agents can use: the :class:`Tool` base class, the :func:`tool` decorator, CrewAI's
:class:`BaseTool` (``_run``-style tools) and the built-in :class:`WebSearch` (loaded on first use,
so ``import crewkit`` does not pay for it). Tool objects of other libraries (LangChain's) are
accepted wherever tools are."""

from typing import TYPE_CHECKING, Any

from crewkit.tools._registry import builtin_tools, register_tool
from crewkit.tools._tool import BoundTool, FunctionTool, Tool, tool

if TYPE_CHECKING:
    from crewkit.tools._base_tool import BaseTool
    from crewkit.tools._search import WebSearch

__all__ = [
    "BaseTool",
    "BoundTool",
    "FunctionTool",
    "Tool",
    "WebSearch",
    "builtin_tools",
    "register_tool",
    "tool",
]


def __getattr__(name: str) -> Any:
    if name == "BaseTool":
        from crewkit.tools._base_tool import BaseTool

        return BaseTool
    if name == "WebSearch":
        from crewkit.tools._search import WebSearch

        return WebSearch
    raise AttributeError(f"module 'crewkit.tools' has no attribute {name!r}")
