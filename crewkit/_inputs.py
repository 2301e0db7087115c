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


def interpolate(text: str, inputs: Mapping[str, Any], *, known_only: bool = False) -> str:
    """Fill ``{name}`` from ``inputs`` in one pass, so values are never re-read as placeholders.
    Braces that do not form ``{identifier}`` (JSON examples, say) are left as they are.
    ``known_only``: for text written before the inputs were known (an output model's field
    descriptions), a ``{name}`` with no such input stays as written instead of raising."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]  # {{ or }}
        if known_only and name not in inputs:
            return match.group(0)
        return str(inputs[name])

    return _TOKEN.sub(replace, text)
