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


def strip_fences(text: str) -> str:
    """``text`` without a surrounding markdown code fence (```json ... ```)."""
    return _FENCE.sub("", text.strip()).strip()


def parse_object(text: str) -> dict[str, Any] | None:
    """``text`` as a JSON object, or as a Python-literal dict (``{'a': 1}``); ``None`` if neither."""
    for loader in (json.loads, ast.literal_eval):
        try:
            value = loader(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
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
