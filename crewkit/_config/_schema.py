"""Inline JSON schemas in crew files (``output_pydantic: {type: object, properties: ...}``) turned
into pydantic models, so YAML crews get validated structured output like Python ones."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from crewkit._config._source import FieldPath, describe, did_you_mean

if TYPE_CHECKING:
    from pydantic import BaseModel

Report = Callable[[FieldPath, str, str], None]
_SCALARS: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}
_TYPES = [*_SCALARS, "array", "object"]


def model_from_schema(
    schema: dict[str, Any], name: str, path: FieldPath, report: Report
) -> type[BaseModel] | None:
    """A pydantic model for an object ``schema``; problems go to ``report`` and give ``None``."""
    if schema.get("type", "object") != "object" or not isinstance(schema.get("properties"), dict):
        report(
            path,
            f"expected a JSON schema of an object with properties, found {describe(schema)}",
            "e.g. {type: object, properties: {score: {type: number}}, required: [score]}",
        )
        return None
    before = _Counter(report)
    try:
        model = _object_model(schema, str(schema.get("title") or name), path, before)
    except Exception as exc:  # whatever pydantic refuses becomes a problem, never a traceback
        before(path, f"this schema cannot become a pydantic model: {type(exc).__name__}: {exc}")
    return None if before.count else model


class _Counter:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.count = 0

    def __call__(self, path: FieldPath, message: str, hint: str = "") -> None:
        self.count += 1
        self.report(path, message, hint)


def _object_model(
    schema: dict[str, Any], name: str, path: FieldPath, report: _Counter
) -> type[BaseModel]:
    from pydantic import Field, create_model

    required = schema.get("required", [])
    if not isinstance(required, list):
        report(
            (*path, "required"), f"expected a list of property names, found {describe(required)}"
        )
        required = []
    properties: dict[str, Any] = schema["properties"]
    for missing in [r for r in required if r not in properties]:
        report(
            (*path, "required"),
            f"{missing!r} is required but not among the properties",
            did_you_mean(missing, properties),
        )
    fields: dict[str, Any] = {}
    for key, sub in properties.items():
        sub_path = (*path, "properties", key)
        if not isinstance(key, str) or key.startswith(("_", "model_")) or not key.strip():
            report(
                sub_path,
                f"property name {key!r} cannot be a field: names are text, not starting "
                "with '_' or 'model_'",
                "rename the property",
            )
            continue
        if not isinstance(sub, dict):
            report(
                sub_path, f"expected a schema mapping, found {describe(sub)}", "e.g. {type: string}"
            )
            continue
        annotation = _annotation(sub, f"{name}_{key}", sub_path, report)
        if key in required:
            default: Any = ...
        else:
            annotation = annotation | None
            default = sub.get("default")
        description = sub.get("description")
        description = None if description is None else str(description)
        fields[key] = (annotation, Field(default, description=description))
    doc = schema.get("description")
    with warnings.catch_warnings():  # a property named like a BaseModel method only warns
        warnings.simplefilter("ignore")
        model: type[BaseModel] = create_model(
            name, __doc__=None if doc is None else str(doc), **fields
        )
    return model


def _annotation(schema: dict[str, Any], name: str, path: FieldPath, report: _Counter) -> Any:
    if "enum" in schema:
        values = schema["enum"]
        if not isinstance(values, list) or not values:
            report((*path, "enum"), f"expected a non-empty list, found {describe(values)}")
            return Any
        odd = [v for v in values if not (v is None or isinstance(v, (str, int, float, bool)))]
        if odd:
            report(
                (*path, "enum"),
                f"enum values must be text, numbers, true/false or null, found {describe(odd[0])}",
            )
            return Any
        return Literal[tuple(values)]
    kind = schema.get("type")
    if kind is None:
        return Any
    if not isinstance(kind, str):
        report(
            (*path, "type"),
            f"expected one type name ({', '.join(_TYPES)}), found {describe(kind)}",
        )
        return Any
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "array":
        items = schema.get("items", {})
        if not isinstance(items, dict):
            report((*path, "items"), f"expected a schema mapping, found {describe(items)}")
            return list[Any]
        return list[_annotation(items, name, (*path, "items"), report)]  # type: ignore[misc]
    if kind == "object":
        if isinstance(schema.get("properties"), dict):
            return _object_model(schema, str(schema.get("title") or name), path, report)
        return dict[str, Any]
    report(
        (*path, "type"),
        f"unknown JSON schema type {kind!r}; expected one of {', '.join(_TYPES)}",
        did_you_mean(kind, _TYPES),
    )
    return Any
