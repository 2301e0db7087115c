"""Tools agents can use: the :class:`Tool` base class and the :func:`tool` decorator."""

from crewkit.tools._tool import BoundTool, FunctionTool, Tool, tool

__all__ = ["BoundTool", "FunctionTool", "Tool", "tool"]
