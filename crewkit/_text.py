"""What counts as text in a definition, and text every encoder accepts. JSON may carry lone UTF-16
surrogates (``"\\ud83d"``), which Python decodes into a ``str`` that UTF-8 files, SQLite and HTTP
bodies then refuse; crewkit repairs such text where it enters a run (model replies, tool results)
and again where it leaves (files, memory)."""

from __future__ import annotations

from typing import Any, TypeGuard, TypeVar

T = TypeVar("T")


def is_text(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a string with something besides white space in it."""
    return isinstance(value, str) and bool(value.strip())


def valid_text(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def valid_data(value: T) -> T:
    """``value`` with :func:`valid_text` applied to every string inside its dicts and lists."""
    return _valid(value)  # type: ignore[no-any-return]


def _valid(value: Any) -> Any:
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {_valid(k): _valid(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_valid(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_valid(v) for v in value)
    return value
