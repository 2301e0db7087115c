"""The last kickoff of each crew, kept in memory: what ``Crew.replay`` restores and what
``Crew.usage_metrics`` reports. Weakly keyed, so a crew that goes away takes its record with it.

:class:`ReplaySource` is the seam for other stores: the run journal (durable runs) provides the
same record from disk, and ``replay`` asks the sources in order, this one last.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

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


class ReplaySource(Protocol):
    """Somewhere the last kickoff of a crew can be found."""

    def last_kickoff(self, crew: CrewDefinition) -> Kickoff | None:
        """The latest kickoff of ``crew``, or ``None`` when this source has none."""


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
        with self._lock:
            return self._last.get(crew)


history = MemoryHistory()
"""This process's record of last kickoffs."""
sources: list[ReplaySource] = [history]
"""Where ``replay`` looks, first to last; a journal inserts itself before ``history``."""


def last_kickoff(crew: CrewDefinition) -> Kickoff | None:
    """The latest kickoff of ``crew`` any source knows."""
    for source in sources:
        found = source.last_kickoff(crew)
        if found is not None:
            return found
    return None
