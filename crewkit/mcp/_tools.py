"""An MCP server's tools as crewkit tools.

The model sees the server's own JSON Schema (enums, nested objects and descriptions intact); a
pydantic model built from its top-level properties checks the arguments before the call, so a bad
call is corrected by the agent instead of failing on the server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from crewkit import prompts
from crewkit._json import compact_schema
from crewkit.errors import ConfigurationError
from crewkit.llm._types import ToolSpec, tool_name
from crewkit.tools._tool import Tool

if TYPE_CHECKING:
    from pydantic import BaseModel

    from crewkit.mcp._connection import MCPConnection

_JSON_TYPES: dict[str, Any] = {
    "string": str, "integer": int, "number": float, "boolean": bool,
    "array": list, "object": dict,
}  # fmt: skip


class MCPTool(Tool):
    """One tool of a running MCP server."""

    def __init__(self, connection: MCPConnection, definition: Any) -> None:
        self.connection = connection
        self.remote_name: str = definition.name
        """The tool's name on the server (``name`` may have been made provider-safe)."""
        self.name = tool_name(definition.name)
        self.description = (definition.description or "").strip() or f"MCP tool {definition.name}"
        self.input_schema: dict[str, Any] = dict(definition.inputSchema or {"type": "object"})
        self.args_schema = _arguments_model(self.name, self.input_schema)
        self.required = set(self.input_schema.get("required", ()))

    def spec(self) -> ToolSpec:
        schema = compact_schema(self.input_schema)
        schema.setdefault("type", "object")
        schema.setdefault("properties", {})
        return ToolSpec(name=self.name, description=self.description, parameters=schema)

    async def arun(self, **kwargs: Any) -> str:
        from crewkit.mcp._connection import Unavailable

        # Unset optional arguments arrive as None; the server should not see them at all.
        arguments = {k: v for k, v in kwargs.items() if v is not None or k in self.required}
        server = self.connection.spec
        try:
            result = await self.connection.call(self.remote_name, arguments, server.call_timeout)
        except Unavailable as exc:
            return prompts.render(
                "mcp_unavailable", tool=self.name, server=server.label, reason=str(exc)
            )
        text = result_text(result)
        if getattr(result, "isError", False):
            return prompts.render("tool_error", tool=self.name, error=text or "the server failed")
        return text

    def run(self, **kwargs: Any) -> str:
        import asyncio

        return asyncio.run(self.arun(**kwargs))


def select_tools(connection: MCPConnection, names: Sequence[str] | None) -> list[Tool]:
    """The connection's tools as crewkit tools, only ``names`` if given (each must exist)."""
    available = {t.name: t for t in connection.tools}
    if names is None:
        return [MCPTool(connection, t) for t in connection.tools]
    missing = [n for n in names if n not in available]
    if missing:
        raise ConfigurationError(
            f"MCP server {connection.spec.label} has no tool {', '.join(map(repr, missing))}; "
            f"its tools are {', '.join(available) or 'none'}"
        )
    return [MCPTool(connection, available[n]) for n in names]


def result_text(result: Any) -> str:
    """What a model reads from a ``CallToolResult``: its text parts, else its structured content."""
    parts: list[str] = []
    for item in getattr(result, "content", None) or ():
        kind = getattr(item, "type", "")
        if kind == "text":
            parts.append(item.text)
        elif kind == "resource":
            resource = item.resource
            parts.append(getattr(resource, "text", None) or f"[resource {resource.uri}]")
        elif kind == "resource_link":
            parts.append(f"[resource {item.uri}]")
        else:
            parts.append(f"[{kind or 'content'} {getattr(item, 'mimeType', '')}]".strip())
    structured = getattr(result, "structuredContent", None)
    if not parts and structured is not None:
        return json.dumps(structured, ensure_ascii=False, default=str)
    return "\n".join(parts)


def _arguments_model(name: str, schema: Mapping[str, Any]) -> type[BaseModel]:
    from pydantic import ConfigDict, Field, create_model

    properties = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    fields: dict[str, Any] = {}
    for prop, info in properties.items():
        annotation = _python_type(info if isinstance(info, Mapping) else {})
        if prop in required:
            fields[prop] = (annotation, Field(...))
        else:
            fields[prop] = (annotation | None, Field(None))
    closed = schema.get("additionalProperties", True) is False
    model: type[BaseModel] = create_model(
        f"{name}_args", __config__=ConfigDict(extra="forbid" if closed else "allow"), **fields
    )
    return model


def _python_type(info: Mapping[str, Any]) -> Any:
    kind = info.get("type")
    if isinstance(kind, str) and kind in _JSON_TYPES:
        python = _JSON_TYPES[kind]
        return float | int if python is float else python
    return Any
