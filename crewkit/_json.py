"""JSON between crewkit and models: reading what they write, the schemas they are sent, and errors.

- Reading JSON out of what models write (code fences, prose around an object, Python-style dicts),
  shared by the text protocol (tool arguments) and structured outputs (a task's answer), so both
  forgive the same slips; nesting is bounded (:data:`MAX_DEPTH`).
- Schemas as models see them (:func:`compact_schema`), and a pydantic validation error told back to
  a model in a few lines (:func:`describe_validation_error`).
- A deterministic value that satisfies a schema (:func:`sample`), for the mock model's tool
  arguments and structured outputs.

pydantic is never imported here: ``import crewkit`` stays light.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

_FENCE = re.compile(r"^```[\w-]*\s*\n?|\n?```\s*$")
MAX_DEPTH = 64
"""Deepest nesting accepted from a model: far beyond any real answer, far below Python's recursion
limit, so nothing downstream (validation, ``json.dumps``, events) can overflow the stack."""


def loads(text: str) -> Any:
    """``json.loads``, but any failure, too-deep nesting included, is a ``ValueError``."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    if depth(value) > MAX_DEPTH:
        raise ValueError(f"the JSON is nested more than {MAX_DEPTH} levels deep")
    return value


def depth(value: Any) -> int:
    """How deeply lists and dicts nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, (dict, list, tuple, set, frozenset)):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in children)
    return deepest


def jsonable(value: Any) -> Any:
    """A Python literal (what ``ast.literal_eval`` gives) as JSON data: keys become text, tuples
    and sets lists, anything else JSON cannot hold its ``str``. Raises ``ValueError`` for keys
    JSON cannot name (a tuple) and for nesting deeper than :data:`MAX_DEPTH`."""
    if depth(value) > MAX_DEPTH:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not (key is None or isinstance(key, (str, bool, int, float))):
                raise ValueError(f"a key JSON cannot hold: {key!r}")
            out[key if isinstance(key, str) else json.dumps(key)] = _jsonable(item)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [_jsonable(item) for item in items]
    return str(value)


def strip_fences(text: str) -> str:
    """``text`` without a surrounding markdown code fence (```json ... ```)."""
    return _FENCE.sub("", text.strip()).strip()


def parse_object(text: str) -> dict[str, Any] | None:
    """``text`` as a JSON object, or as a Python-literal dict (``{'a': 1}``); ``None`` if neither."""
    for loader in (loads, ast.literal_eval):
        try:
            value = jsonable(loader(text))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, dict):
            return value
    return None


def first_json_object(text: str) -> str | None:
    """The first balanced ``{...}``, respecting quoted strings."""
    start = text.find("{")
    if start < 0:
        return None
    depth = 0
    quote: str | None = None
    escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return None


def compact_schema(schema: Any) -> Any:
    """Drop generated ``title`` entries, which cost prompt tokens and tell the model nothing, and
    ``readOnly`` properties: the application fills those (a guardrail, a callback), not the model."""
    if isinstance(schema, dict):
        out: dict[str, Any] = {}
        hidden = {
            name
            for name, sub in (schema.get("properties") or {}).items()
            if isinstance(sub, dict) and sub.get("readOnly") is True
        }
        for key, value in schema.items():
            if key == "title" and isinstance(value, str):
                continue
            if key == "properties" and isinstance(value, dict):
                out[key] = {k: compact_schema(v) for k, v in value.items() if k not in hidden}
            elif key in ("$defs", "definitions") and isinstance(value, dict):
                out[key] = {k: compact_schema(v) for k, v in value.items()}
            elif key == "required" and isinstance(value, list):
                out[key] = [name for name in value if name not in hidden]
            else:
                out[key] = compact_schema(value)
        return out
    if isinstance(schema, list):
        return [compact_schema(v) for v in schema]
    return schema


def map_schema(schema: Any, change: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """``schema`` rebuilt bottom-up with ``change`` applied to each (sub)schema object after its
    parts. Under ``properties``, ``$defs`` and ``definitions`` the keys are names, never
    keywords: a property called "description" or "type" is a subschema like any other."""
    if isinstance(schema, list):
        return [map_schema(s, change) for s in schema]
    if not isinstance(schema, dict):
        return schema
    return change(
        {
            key: {name: map_schema(sub, change) for name, sub in value.items()}
            if key in ("properties", "$defs", "definitions") and isinstance(value, dict)
            else map_schema(value, change)
            for key, value in schema.items()
        }
    )


def describe_validation_error(exc: Any) -> str:
    """One line per error of a pydantic ``ValidationError``: where, and what was wrong."""
    lines = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "value"
        lines.append(f"- {where}: {err['msg']}")
    return "\n".join(lines)


_STRING_FORMATS = {
    "date": "2024-01-02",
    "date-time": "2024-01-02T00:00:00Z",
    "time": "00:00:00",
    "email": "someone@example.com",
    "uri": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def sample(schema: Mapping[str, Any], name: str = "value") -> Any:
    """A value valid against ``schema``, the same every time; ``name`` labels generated strings."""
    return _Sampler(schema).value(schema, name, depth=0)


class _Sampler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = {**root.get("definitions", {}), **root.get("$defs", {})}

    def value(self, schema: Mapping[str, Any], name: str, depth: int) -> Any:
        if "$ref" in schema:
            return self.value(self.defs[str(schema["$ref"]).rsplit("/", 1)[-1]], name, depth + 1)
        if "const" in schema:
            return schema["const"]
        if "default" in schema:
            return schema["default"]
        if schema.get("examples"):
            return schema["examples"][0]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
                return self.value(options[0], name, depth)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(part)
            return self.value(merged, name, depth)
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        return getattr(self, f"_{kind}", self._string)(schema, name, depth)

    def _object(self, schema: Mapping[str, Any], name: str, depth: int) -> dict[str, Any]:
        props: Mapping[str, Any] = schema.get("properties", {})
        return {key: self.value(sub, key, depth + 1) for key, sub in props.items()}

    def _array(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        count = max(1, int(schema.get("minItems", 1)))
        item = schema.get("items", {"type": "string"})
        return [self.value(item, name, depth + 1) for _ in range(count)]

    def _string(self, schema: Mapping[str, Any], name: str, depth: int) -> str:
        if schema.get("format") in _STRING_FORMATS:
            return _STRING_FORMATS[schema["format"]]
        text = f"sample {name}"
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        text = text.ljust(low, "x")
        return text[: int(high)] if high is not None else text

    def _integer(self, schema: Mapping[str, Any], name: str, depth: int) -> int:
        return int(self._number(schema, name, depth))

    def _number(self, schema: Mapping[str, Any], name: str, depth: int) -> float:
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if low is not None and high is not None:
            return (float(low) + float(high)) / 2
        if low is not None:
            return float(low) + 1
        if high is not None:
            return float(high) - 1
        return 1.0

    def _boolean(self, schema: Mapping[str, Any], name: str, depth: int) -> bool:
        return True

    def _null(self, schema: Mapping[str, Any], name: str, depth: int) -> None:
        return None


def close_json(text: str) -> str | None:
    """``text``, a JSON value cut off part-way, completed so that it parses: the open string, arrays
    and objects closed, a dangling key given ``null``, a trailing comma dropped. ``None`` when even
    that does not parse."""
    closers: list[str] = []
    in_string = escaped = False
    key_expected: list[bool] = []
    string_is_key = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            string_is_key = bool(key_expected) and key_expected[-1]
        elif ch in "{[":
            closers.append("}" if ch == "{" else "]")
            key_expected.append(ch == "{")
        elif ch in "}]" and closers:
            closers.pop()
            key_expected.pop()
        elif ch == ":" and key_expected:
            key_expected[-1] = False
        elif ch == "," and key_expected and closers[-1] == "}":
            key_expected[-1] = True
    body = text[:-1] if in_string and escaped else text
    if in_string:
        body += '"' + (": null" if string_is_key else "")
    body = body.rstrip()
    if body.endswith(","):
        body = body[:-1]
    elif body.endswith(":"):
        body += " null"
    completed = body + "".join(reversed(closers))
    try:
        json.loads(completed, strict=False)
    except ValueError:
        return None
    return completed
