"""``{name}`` placeholders: which a text uses, and filling them with input values as plain data."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders(text: str) -> list[str]:
    """Names used as ``{name}`` in ``text``, in order of first use (``{{``/``}}`` are literal braces)."""
    seen: dict[str, None] = {}
    for match in _TOKEN.finditer(text):
        if match.group(1):
            seen.setdefault(match.group(1))
    return list(seen)


def interpolate(text: str, inputs: Mapping[str, Any]) -> str:
    """Fill ``{name}`` from ``inputs`` in one pass, so values are never re-read as placeholders.
    Braces that do not form ``{identifier}`` (JSON examples, say) are left as they are."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return str(inputs[match.group(1)])

    return _TOKEN.sub(replace, text)


def fill_known(text: str, inputs: Mapping[str, Any]) -> str:
    """:func:`interpolate` for text written before the inputs were known (an output model's field
    descriptions): a ``{name}`` with no such input stays as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]  # {{ or }}
        return str(inputs[name]) if name in inputs else match.group(0)

    return _TOKEN.sub(replace, text) if "{" in text else text
