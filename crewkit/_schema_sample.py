"""Build a deterministic value that satisfies a JSON schema (used by MockLLM for tool arguments and
structured outputs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_STRING_FORMATS = {
    "date": "2024-01-02",
    "date-time": "2024-01-02T00:00:00Z",
    "time": "00:00:00",
    "email": "someone@example.com",
    "uri": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def sample(schema: Mapping[str, Any], name: str = "value") -> Any:
    """Return a value valid against ``schema``; ``name`` labels generated strings."""
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
