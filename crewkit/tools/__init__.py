"""Tools agents can use: the :class:`Tool` base class and the :func:`tool` decorator."""

from crewkit.tools._tool import FunctionTool, Tool, tool

__all__ = ["FunctionTool", "Tool", "tool"]
