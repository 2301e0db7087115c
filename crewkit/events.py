"""Typed events a run emits, and the listeners that receive them.

Events carry a ``span_id`` and the ``parent_id`` of the step that caused them, so a delegation shows up
nested under the tool call that made it (crew → task → agent → model/tool → agent ...).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crewkit.llm._types import ModelResponse, Usage

if TYPE_CHECKING:
    from crewkit.task import CrewOutput, TaskOutput

log = logging.getLogger("crewkit")

Listener = Callable[["Event"], object]
"""A function that receives every event of a run."""


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of all events."""

    run_id: str
    """Identifies the kickoff this event belongs to."""
    span_id: str
    """Identifies the step this event opens, closes or reports."""
    parent_id: str | None = None
    """The enclosing step, or ``None`` for the crew itself."""
    timestamp: float = field(default_factory=time.time)
    """Seconds since the epoch."""


@dataclass(frozen=True, kw_only=True)
class CrewStarted(Event):
    """A kickoff began."""

    crew_name: str
    inputs: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class CrewCompleted(Event):
    """A kickoff finished."""

    output: CrewOutput


@dataclass(frozen=True, kw_only=True)
class CrewFailed(Event):
    """A kickoff ended with an error."""

    error: BaseException


@dataclass(frozen=True, kw_only=True)
class TaskStarted(Event):
    """An agent (or the manager) began a task."""

    task_name: str
    agent_role: str


@dataclass(frozen=True, kw_only=True)
class TaskCompleted(Event):
    """A task produced its output."""

    output: TaskOutput


@dataclass(frozen=True, kw_only=True)
class AgentStarted(Event):
    """An agent's loop began, for a task or a delegated sub-task."""

    agent_role: str
    task_name: str


@dataclass(frozen=True, kw_only=True)
class AgentFinished(Event):
    """An agent gave its final answer."""

    agent_role: str
    task_name: str
    answer: str
    forced: bool
    """True when the answer was demanded at a limit rather than given freely."""


@dataclass(frozen=True, kw_only=True)
class ModelCallStarted(Event):
    """A request went to a model."""

    agent_role: str
    model: str


@dataclass(frozen=True, kw_only=True)
class ModelCallCompleted(Event):
    """A model answered; ``usage`` is this call's, counted once."""

    agent_role: str
    model: str
    response: ModelResponse
    usage: Usage
    duration: float


@dataclass(frozen=True, kw_only=True)
class ToolCallStarted(Event):
    """An agent called a tool."""

    agent_role: str
    tool_name: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class ToolCallCompleted(Event):
    """A tool returned (or failed; then ``error`` is true and ``result`` says why)."""

    agent_role: str
    tool_name: str
    result: str
    error: bool
    duration: float


_global_listeners: list[Listener] = []


def subscribe(listener: Listener) -> Callable[[], None]:
    """Send every event of every run to ``listener``; returns a function that unsubscribes it."""
    _global_listeners.append(listener)
    return lambda: _global_listeners.remove(listener)


class EventBus:
    """Delivers a run's events to its listeners. A failing listener is logged, never fatal: a bug
    in a progress display must not lose a run's work."""

    def __init__(self, listeners: list[Listener]) -> None:
        self.listeners = [*listeners, *_global_listeners]

    def emit(self, event: Event) -> None:
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type(event).__name__)
