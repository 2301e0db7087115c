"""Tools from other libraries — LangChain's above all — used as they are, without importing them.

Anything with a ``name``, a ``description`` and a way to call it (``invoke``, ``run`` or ``_run``)
is wrapped; its ``args_schema`` (a pydantic v2 or v1 model, or a JSON schema) describes the
arguments. Async calls go to ``ainvoke`` when the object has it, else to a worker thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crewkit.llm._types import tool_name
from crewkit.tools._tool import Tool

if TYPE_CHECKING:
    from pydantic import BaseModel


def looks_like_tool(obj: object) -> bool:
    """True for objects shaped like a LangChain (or similar) tool."""
    if isinstance(obj, (Tool, type, str)):
        return False
    named = isinstance(getattr(obj, "name", None), str) and isinstance(
        getattr(obj, "description", None), str
    )
    callable_ = any(callable(getattr(obj, m, None)) for m in ("invoke", "run", "_run"))
    return named and callable_


class ForeignTool(Tool):
    """A tool object from another library, wrapped."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.name = tool_name(wrapped.name)
        self.description = str(wrapped.description).strip() or self.name
        self.args_schema = None
        self.result_as_answer = bool(getattr(wrapped, "return_direct", False)) or bool(
            getattr(wrapped, "result_as_answer", False)
        )

    def arguments_model(self) -> type[BaseModel]:
        if self.args_schema is None:
            self.args_schema = _arguments_model(self.wrapped, f"{self.name}_args")
        return self.args_schema

    def run(self, **kwargs: Any) -> Any:
        wrapped = self.wrapped
        if callable(getattr(wrapped, "invoke", None)):
            return wrapped.invoke(kwargs)
        if callable(getattr(wrapped, "run", None)):
            return wrapped.run(kwargs if len(kwargs) != 1 else next(iter(kwargs.values())))
        return wrapped._run(**kwargs)

    async def arun(self, **kwargs: Any) -> Any:
        if callable(getattr(self.wrapped, "ainvoke", None)):
            return await self.wrapped.ainvoke(kwargs)
        import asyncio

        return await asyncio.to_thread(self.run, **kwargs)

    def __repr__(self) -> str:
        return f"<ForeignTool {self.name!r} ({type(self.wrapped).__module__}.{type(self.wrapped).__name__})>"


def _arguments_model(wrapped: Any, model_name: str) -> type[BaseModel]:
    from pydantic import BaseModel, ConfigDict, create_model

    schema = getattr(wrapped, "args_schema", None)
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema
    legacy = getattr(schema, "schema", None) if isinstance(schema, type) else None
    if callable(legacy):
        schema = legacy()  # a pydantic v1 model (older LangChain)
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        return _model_from_json_schema(schema, model_name)
    if callable(getattr(wrapped, "_run", None)):
        from crewkit.tools._tool import model_from_signature

        return model_from_signature(wrapped._run, model_name)
    # one free-text argument, as LangChain's single-input tools take
    single: type[BaseModel] = create_model(
        model_name, __config__=ConfigDict(extra="forbid"), tool_input=(str, ...)
    )
    return single


_JSON_TYPES: dict[str, type] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
}


def _model_from_json_schema(schema: dict[str, Any], model_name: str) -> type[BaseModel]:
    """A flat pydantic model for an object schema: each property's JSON type, required or not;
    nested shapes are kept as plain lists and dicts (the tool validates its own input further)."""
    from pydantic import ConfigDict, Field, create_model

    required = set(schema.get("required", ()))
    fields: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        prop = prop if isinstance(prop, dict) else {}
        kind: Any = _JSON_TYPES.get(str(prop.get("type")), Any)
        description = prop.get("description")
        if name in required:
            fields[name] = (kind, Field(..., description=description))
        else:
            fields[name] = (kind | None, Field(prop.get("default"), description=description))
    model: type[BaseModel] = create_model(
        model_name, __config__=ConfigDict(extra="forbid"), **fields
    )
    return model
