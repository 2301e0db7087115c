"""The last kickoff of each crew, kept in memory: what ``Crew.usage_metrics`` reports and what
``Crew.replay`` restores for a crew that is not durable (a durable crew replays from its journal,
in any process). Weakly keyed, so a crew that goes away takes its record with it."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crewkit._crew_definition import CrewDefinition
from crewkit.llm._types import Usage
from crewkit.task import TaskOutput


@dataclass(frozen=True)
class Kickoff:
    """What one kickoff of a crew was given and produced, failed ones included."""

    inputs: Mapping[str, Any]
    """The inputs the tasks saw (after ``before_kickoff`` callbacks)."""
    outputs: tuple[TaskOutput, ...]
    """The completed tasks' outputs, in task order; fewer than the tasks when the run failed."""
    usage: Usage
    """Tokens and requests of the kickoff."""


class MemoryHistory:
    """Last kickoffs of this process's crews."""

    def __init__(self) -> None:
        self._last: weakref.WeakKeyDictionary[CrewDefinition, Kickoff] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def record(self, crew: CrewDefinition, kickoff: Kickoff) -> None:
        """Keep ``kickoff`` as ``crew``'s latest."""
        with self._lock:
            self._last[crew] = kickoff

    def last_kickoff(self, crew: CrewDefinition) -> Kickoff | None:
        """``crew``'s latest kickoff, or ``None``."""
        with self._lock:
            return self._last.get(crew)


history = MemoryHistory()
"""This process's record of last kickoffs."""


def last_kickoff(crew: CrewDefinition) -> Kickoff | None:
    """The latest kickoff of ``crew`` in this process, failed ones included."""
    return history.last_kickoff(crew)
