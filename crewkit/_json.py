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
