"""Converting one YAML value to a field value by the field's kind; every failure becomes a problem.

Each converter returns ``(True, value)`` or ``(False, None)`` after reporting what was wrong.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crewkit._config._fields import FieldKind
from crewkit._config._imports import RefError, import_object, is_import_path, refuse_unsafe
from crewkit._config._schema import model_from_schema
from crewkit._config._source import FieldPath, describe, did_you_mean
from crewkit._text import is_text

Report = Callable[[FieldPath, str, str], None]
Result = tuple[bool, Any]
_FAILED: Result = (False, None)
_TYPE_NAMES = {
    str: "text",
    bool: "true or false",
    int: "an integer",
    float: "a number",
    dict: "a mapping",
    list: "a list",
}


def convert_plain(kind: FieldKind, value: Any, path: FieldPath, report: Report) -> Result:
    """Check a plain value against the annotation's types (``int`` also fills a ``float`` field)."""
    if value is None:
        if kind.optional or not kind.plain:
            return True, None
        report(
            path,
            f"expected {_expected(kind.plain)}, found nothing (null)",
            "give a value or remove the key",
        )
        return _FAILED
    if not kind.plain:
        return True, value
    if isinstance(value, float) and not math.isfinite(value):
        report(path, f"expected a finite number, found {value}", "leave the key out for no limit")
        return _FAILED
    for accepted in kind.plain:
        if isinstance(value, bool) and accepted is not bool:
            continue
        if isinstance(value, accepted):
            return True, float(value) if isinstance(value, int) and float in kind.plain else value
    hint = ""
    if isinstance(value, dict) and str in kind.plain:
        hint = "text that starts with '{' is read as a YAML mapping: put the text in quotes"
    elif isinstance(value, str) and (int in kind.plain or float in kind.plain):
        hint = "write the number without quotes"
    report(path, f"expected {_expected(kind.plain)}, found {describe(value)}", kind.hint or hint)
    return _FAILED


def _expected(types: tuple[type, ...]) -> str:
    names = list(dict.fromkeys(_TYPE_NAMES.get(t, t.__name__) for t in types))
    if "a number" in names and "an integer" in names:
        names.remove("an integer")
    return " or ".join(names)


def convert_enum(kind: FieldKind, value: Any, path: FieldPath, report: Report) -> Result:
    """Accept an enum's value by its name or value."""
    assert kind.enum is not None
    if value is None and kind.optional:
        return True, None
    choices = [str(m.value) for m in kind.enum]
    if isinstance(value, str) and value.strip() in choices:
        return True, value.strip()
    report(
        path,
        f"expected one of {', '.join(repr(c) for c in choices)}, found {describe(value)}",
        did_you_mean(value, choices),
    )
    return _FAILED


def convert_tool(
    value: Any,
    folder: Path,
    path: FieldPath,
    report: Report,
    settings: dict[str, Any] | None = None,
    *,
    trusted: bool = False,
) -> Result:
    """A built-in tool name or a ``module:attr`` naming a Tool, a Tool class or a function.
    ``settings`` are keyword arguments for a Tool class (YAML ``with:``); ``trusted`` accepts
    standard-library functions that run code or touch the system."""
    from crewkit.errors import ConfigurationError
    from crewkit.tools._accept import as_tool
    from crewkit.tools._registry import builtin_tool, builtin_tools
    from crewkit.tools._tool import Tool

    if isinstance(value, dict):
        return _convert_bound_tool(value, folder, path, report, trusted=trusted)
    if not is_text(value):
        report(path, f"expected a tool name or module:attr, found {describe(value)}", "")
        return _FAILED
    name = value.strip()
    if not is_import_path(name):
        try:
            found = builtin_tool(name, **(settings or {}))
        except (ConfigurationError, TypeError) as exc:
            report(path, f"tool {name!r}: {exc}", "")
            return _FAILED
        if found is not None:
            return True, found
        known = builtin_tools()
        listing = f"built-in tools: {', '.join(known)}" if known else "there are no built-in tools"
        suggestion = did_you_mean(name, known)
        report(
            path,
            f"unknown tool {name!r}; {listing}",
            suggestion or f"for your own tool write module:attr, e.g. tools:{name}",
        )
        return _FAILED
    imported, obj = _import(name, folder, path, report, trusted)
    if not imported:
        return _FAILED
    tool_class = obj if inspect.isclass(obj) and issubclass(obj, Tool) else None
    if settings and tool_class is None:
        report(path, f"'with' needs a Tool class, but {name!r} is {describe(obj)}", "")
        return _FAILED
    try:
        if tool_class is not None:
            obj = tool_class(**(settings or {}))
        tools = (
            [as_tool(t, name) for t in obj]
            if isinstance(obj, (list, tuple))
            else [as_tool(obj, name)]
        )
        for each in tools:
            each.spec()  # build the argument schema now: a broken tool fails here, not mid-run
        return True, tools if isinstance(obj, (list, tuple)) else tools[0]
    except ConfigurationError as exc:
        report(path, str(exc), "")
    except Exception as exc:
        report(path, f"creating tool {name!r} failed: {type(exc).__name__}: {exc}", "")
    return _FAILED


def _convert_bound_tool(
    value: dict[str, Any], folder: Path, path: FieldPath, report: Report, *, trusted: bool
) -> Result:
    """``{use: tool, with: {setting: value}, bind: {argument: value}}``: a Tool class built with
    settings, and/or a tool with arguments fixed (``Tool.bind``)."""
    from crewkit.errors import ConfigurationError
    from crewkit.tools._tool import Tool

    unknown = sorted(set(value) - {"use", "with", "bind"})
    if unknown or "use" not in value:
        report(
            path,
            "a tool given as a mapping takes 'use' and optionally 'with' (a Tool class's "
            f"settings) and 'bind' (fixed arguments), found {sorted(value)}",
            "e.g. {use: tools:Quote, with: {source: prices.csv}, bind: {ticker: '{ticker}'}}",
        )
        return _FAILED
    settings = value.get("with") or {}
    if not isinstance(settings, dict):
        report(path, f"'with' must map setting names to values, found {describe(settings)}", "")
        return _FAILED
    ok, tool = convert_tool(
        value["use"], folder, path, report, {str(k): v for k, v in settings.items()},
        trusted=trusted,
    )  # fmt: skip
    bound = value.get("bind") or {}
    if not ok:
        return _FAILED
    if not isinstance(bound, dict) or not isinstance(tool, Tool):
        report(path, f"'bind' must map argument names to values, found {describe(bound)}", "")
        return _FAILED
    if not bound:
        return True, tool
    try:
        return True, tool.bind(**{str(k): v for k, v in bound.items()})
    except ConfigurationError as exc:
        report(path, str(exc), "")
        return _FAILED


def convert_model_class(
    kind: FieldKind,
    value: Any,
    folder: Path,
    name: str,
    path: FieldPath,
    report: Report,
    *,
    trusted: bool = False,
) -> Result:
    """A pydantic model: ``module:Class``, or an inline JSON schema built into one."""
    from pydantic import BaseModel

    if value is None and kind.optional:
        return True, None
    if isinstance(value, dict):
        model = model_from_schema(value, name, path, report)
        return (model is not None), model
    if not isinstance(value, str) or not is_import_path(value):
        report(
            path,
            f"expected module:Class naming a pydantic model, or an inline JSON schema, found {describe(value)}",
            "",
        )
        return _FAILED
    imported, obj = _import(value, folder, path, report, trusted)
    if not imported:
        return _FAILED
    if not (inspect.isclass(obj) and issubclass(obj, BaseModel)):
        report(path, f"{value!r} is {obj!r}, not a pydantic model class", "")
        return _FAILED
    return True, obj


def convert_callable(
    kind: FieldKind,
    value: Any,
    folder: Path,
    path: FieldPath,
    report: Report,
    *,
    trusted: bool = False,
) -> Result:
    """A function given as ``module:attr`` (a list of them where the field takes several)."""
    if value is None and kind.optional:
        return True, None
    if isinstance(value, list) and kind.many:
        results = [
            convert_callable(kind, v, folder, (*path, i), report, trusted=trusted)
            for i, v in enumerate(value)
        ]
        return all(ok for ok, _ in results), [v for _, v in results]
    if not isinstance(value, str) or not is_import_path(value):
        many = " (or a list of them)" if kind.many else ""
        report(path, f"expected module:function{many}, found {describe(value)}", "")
        return _FAILED
    imported, obj = _import(value, folder, path, report, trusted)
    if not imported:
        return _FAILED
    if not callable(obj):
        report(path, f"{value!r} is {obj!r}, which cannot be called", "")
        return _FAILED
    return True, obj


def _import(
    reference: str, folder: Path, path: FieldPath, report: Report, trusted: bool = False
) -> Result:
    """:func:`import_object`, its failure reported at ``path``; unless ``trusted``, standard-library
    functions that run code or touch the system are refused."""
    try:
        found = import_object(reference, folder)
        if not trusted:
            refuse_unsafe(reference, found)
        return True, found
    except RefError as exc:
        report(path, exc.message, exc.hint)
        return _FAILED
