"""Checks for numeric settings. ``True`` is an ``int`` to Python, but never a count or a limit here."""

from __future__ import annotations

import math


def is_whole(value: object, minimum: int) -> bool:
    """Whether ``value`` is an integer (not a bool) of at least ``minimum``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def is_positive(value: object) -> bool:
    """Whether ``value`` is a finite number (int or float, not a bool) above zero; NaN and
    infinity are not limits (``None`` says "no limit")."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )
