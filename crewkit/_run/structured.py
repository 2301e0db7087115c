"""Structured outputs: the schema a task's answer must follow, and reading an answer against it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crewkit._inputs import interpolate
from crewkit._json import (
    compact_schema,
    describe_validation_error,
    first_json_object,
    loads,
    map_schema,
    strip_fences,
)
from crewkit.llm._types import ResponseSchema


def response_schema(model: type[Any], inputs: Mapping[str, Any] | None = None) -> ResponseSchema:
    """The model's JSON schema as a response schema (see :func:`output_schema`)."""
    return ResponseSchema(name=model.__name__, schema=output_schema(model, inputs))


def schema_text(model: type[Any], inputs: Mapping[str, Any] | None = None) -> str:
    """The schema as compact JSON, for prompts."""
    return json.dumps(output_schema(model, inputs))


def output_schema(model: type[Any], inputs: Mapping[str, Any] | None = None) -> Any:
    """The compact JSON schema a model is asked to follow, its field descriptions' ``{name}``
    placeholders filled from ``inputs`` like a task's description (a description can then say
    what this run needs: "name {ticker} and the stop-loss at {stop_loss}")."""
    schema = compact_schema(model.model_json_schema())
    return _described(schema, inputs) if inputs else schema


def _described(schema: Any, inputs: Mapping[str, Any]) -> Any:
    def fill(node: dict[str, Any]) -> dict[str, Any]:
        text = node.get("description")
        if isinstance(text, str):
            node["description"] = interpolate(text, inputs, known_only=True)
        return node

    return map_schema(schema, fill)


def parse_structured(text: str, model: type[Any]) -> tuple[Any, str | None]:
    """Read ``text`` as an instance of ``model``: ``(instance, None)`` or ``(None, errors)``."""
    from pydantic import ValidationError

    body = strip_fences(text)
    data, problem = _json_of(body)
    found = first_json_object(body) if problem is not None else None
    if found is not None:
        data, problem = _json_of(found)
    if problem is not None:
        return None, f"- {problem}"
    try:
        return model.model_validate(data), None
    except ValidationError as exc:
        return None, describe_validation_error(exc)


def _json_of(text: str) -> tuple[Any, str | None]:
    """The JSON in ``text``, or what the model should be told about it."""
    try:
        return loads(text), None
    except json.JSONDecodeError:
        return None, "the answer is not a JSON object"
    except ValueError as exc:  # nested too deeply
        return None, str(exc)
