"""What a memory is as users see it: the kinds of memory and one remembered record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from crewkit.errors import ConfigurationError

Kind = Literal["short_term", "long_term", "entities", "all"]
"""Which part of memory: this run's, what persists across runs, facts about named things, or all."""

STORED = {"short_term": "short_term", "long_term": "long_term", "entities": "entity"}
"""Each kind a user names, and how the store files it."""
_ALL_STORED = tuple(STORED.values())


@dataclass(frozen=True)
class MemoryRecord:
    """One memory."""

    id: int
    """Row id in the store."""
    kind: str
    """``short_term``, ``long_term`` or ``entity``."""
    text: str
    """What is remembered."""
    source: str
    """Where it came from, e.g. ``task 'research' by Analyst`` or ``tool web_search``."""
    task: str
    """For task results: the description of the task they answered."""
    entity: str
    """For entity facts: the entity they are about."""
    run_id: str
    """The run that saved it (empty for memories saved outside a run)."""
    created: float
    """When it was saved, seconds since the epoch."""
    score: float | None = None
    """Relevance in a search (higher is better); ``None`` in listings."""


def stored_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """The store's names for ``kinds`` (one kind or several; ``"all"`` is every kind)."""
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    out: list[str] = []
    for kind in kinds:
        if kind == "all":
            return _ALL_STORED
        if kind not in STORED:
            raise ConfigurationError(
                f"memory kind must be 'short_term', 'long_term', 'entities' or 'all', got {kind!r}"
            )
        out.append(STORED[kind])
    return tuple(out)
