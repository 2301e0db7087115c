"""What agents and tasks accept as tools: crewkit tools, plain functions, and tool objects of other
libraries (wrapped), each checked so a broken one fails when it is given, not when it is called."""

from __future__ import annotations

from crewkit.errors import ConfigurationError
from crewkit.tools._foreign import ForeignTool, looks_like_tool
from crewkit.tools._tool import FunctionTool, Tool, check_tool


def as_tool(obj: object, owner: str) -> Tool:
    """Accept a :class:`Tool`, a plain function, or a tool object of another library (LangChain's:
    ``name``, ``description`` and ``invoke``); anything else is a clear error naming ``owner``."""
    if isinstance(obj, Tool):
        check_tool(obj)
        return obj
    if looks_like_tool(obj):
        wrapped = ForeignTool(obj)
        check_tool(wrapped)
        return wrapped
    if callable(obj) and not isinstance(obj, type):
        return FunctionTool(obj)
    hint = " (pass an instance: MyTool())" if isinstance(obj, type) else " (use @tool)"
    raise ConfigurationError(f"{owner}: tools must be Tool objects or functions{hint}, got {obj!r}")
