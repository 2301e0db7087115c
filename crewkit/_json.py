"""Reading JSON out of what models write: code fences, prose around an object, Python-style dicts.

Shared by the text protocol (tool arguments) and structured outputs (a task's answer), so both
forgive the same slips.
"""

from __future__ import annotations

import ast
import json
import re
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
