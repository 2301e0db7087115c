"""Tools agents can use: the :class:`Tool` base class and the :func:`tool` decorator."""

from crewkit.tools._registry import builtin_tools, register_tool
from crewkit.tools._tool import BoundTool, FunctionTool, Tool, tool

__all__ = ["BoundTool", "FunctionTool", "Tool", "builtin_tools", "register_tool", "tool"]
