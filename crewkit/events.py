"""Typed events a run emits, the spans that emit them, and the listeners that receive them.

Every step of a run (crew, task, agent, model call, tool call) is a span: it opens with a
``...Started`` event and closes with a ``...Completed`` (``AgentFinished``) or a ``...Failed`` event,
all three carrying its ``span_id``. The ``parent_id`` is the step that caused it, so a delegation
shows up nested under the tool call that made it (crew → task → agent → model/tool → agent ...).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
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
class Failed(Event):
    """Base of the events that close a step which raised."""

    error: BaseException
    """What ended the step."""


@dataclass(frozen=True, kw_only=True)
class CrewStarted(Event):
    """A kickoff began."""

    crew_name: str
    """The crew's ``name``."""
    inputs: Mapping[str, Any]
    """The kickoff inputs."""


@dataclass(frozen=True, kw_only=True)
class CrewCompleted(Event):
    """A kickoff finished."""

    output: CrewOutput
    """What it produced."""


@dataclass(frozen=True, kw_only=True)
class CrewFailed(Failed):
    """A kickoff ended with an error."""


@dataclass(frozen=True, kw_only=True)
class _TaskStep(Event):
    task_name: str
    """The task's label."""
    agent_role: str
    """Who works on it (the manager, in a hierarchical crew)."""


@dataclass(frozen=True, kw_only=True)
class TaskStarted(_TaskStep):
    """An agent (or the manager) began a task."""


@dataclass(frozen=True, kw_only=True)
class TaskCompleted(_TaskStep):
    """A task produced its output."""

    output: TaskOutput
    """The accepted output."""


@dataclass(frozen=True, kw_only=True)
class TaskFailed(_TaskStep, Failed):
    """A task ended with an error (its own, or the run's when it was cancelled because of it)."""


@dataclass(frozen=True, kw_only=True)
class _AgentStep(Event):
    agent_role: str
    """The agent's role."""
    task_name: str
    """The task it works on (a delegated piece of work keeps its task's label)."""


@dataclass(frozen=True, kw_only=True)
class AgentStarted(_AgentStep):
    """An agent's loop began, for a task or a delegated sub-task."""


@dataclass(frozen=True, kw_only=True)
class AgentFinished(_AgentStep):
    """An agent gave its final answer (again, when an answer was sent back for revision)."""

    answer: str
    """The final answer's text."""
    forced: bool
    """True when the answer was demanded at a limit rather than given freely."""


@dataclass(frozen=True, kw_only=True)
class AgentFailed(_AgentStep, Failed):
    """An agent's loop ended with an error (a time limit, a model that failed, ...)."""


@dataclass(frozen=True, kw_only=True)
class _ModelStep(Event):
    agent_role: str
    """Who asked."""
    model: str
    """The model's ``provider/model`` label."""


@dataclass(frozen=True, kw_only=True)
class ModelCallStarted(_ModelStep):
    """A request went to a model."""


@dataclass(frozen=True, kw_only=True)
class ModelCallCompleted(_ModelStep):
    """A model answered; ``usage`` is this call's, counted once."""

    response: ModelResponse
    """The answer."""
    usage: Usage
    """Tokens of this call."""
    duration: float
    """Seconds the call took, cassette and retries included."""


@dataclass(frozen=True, kw_only=True)
class ModelCallFailed(_ModelStep, Failed):
    """A model call raised (after the backend's own retries)."""


@dataclass(frozen=True, kw_only=True)
class _ToolStep(Event):
    agent_role: str
    """Who called the tool."""
    tool_name: str
    """The tool's name."""


@dataclass(frozen=True, kw_only=True)
class ToolCallStarted(_ToolStep):
    """An agent called a tool."""

    arguments: Mapping[str, Any]
    """The validated arguments."""


@dataclass(frozen=True, kw_only=True)
class ToolCallCompleted(_ToolStep):
    """A tool returned; ``error`` is true when the call was refused (a delegation guard) and
    ``result`` says why. A tool that raises ends in :class:`ToolCallFailed` instead."""

    result: str
    """What the agent reads next."""
    error: bool
    """The call was refused."""
    duration: float
    """Seconds the tool took."""


@dataclass(frozen=True, kw_only=True)
class ToolCallFailed(_ToolStep, Failed):
    """A tool raised. The agent reads the error as its observation and works on (unless it was a
    run-ending error, such as a coworker's model failing)."""


@dataclass(frozen=True, kw_only=True)
class _FlowRun(Event):
    flow_name: str
    """The flow class's name."""


@dataclass(frozen=True, kw_only=True)
class FlowStarted(_FlowRun):
    """A flow was kicked off."""

    flow_id: str
    """The state's ``id``."""
    inputs: Mapping[str, Any]
    """The kickoff inputs."""


@dataclass(frozen=True, kw_only=True)
class FlowCompleted(_FlowRun):
    """A flow ran to the end."""

    result: Any
    """The result of the step that finished last."""
    steps: int
    """How many steps ran."""
    duration: float
    """Seconds the kickoff took."""


@dataclass(frozen=True, kw_only=True)
class FlowFailed(_FlowRun, Failed):
    """A flow stopped with an error (a step raised, a loop passed ``max_steps``, ...)."""


@dataclass(frozen=True, kw_only=True)
class _FlowStep(Event):
    flow_name: str
    """The flow class's name."""
    step: str
    """The step's method name."""


@dataclass(frozen=True, kw_only=True)
class FlowStepStarted(_FlowStep):
    """A flow step began."""

    trigger: str
    """What set it off: a step's name or a router label ("" at kickoff)."""


@dataclass(frozen=True, kw_only=True)
class FlowStepCompleted(_FlowStep):
    """A flow step returned."""

    result: Any
    """What it returned."""
    duration: float
    """Seconds it took."""


@dataclass(frozen=True, kw_only=True)
class FlowStepFailed(_FlowStep, Failed):
    """A flow step raised (or was cancelled because another one did)."""


@dataclass(frozen=True, kw_only=True)
class RouterDecided(_FlowStep):
    """A router step chose a label (``None``: it set nothing off); ``span_id`` is the router's."""

    label: str | None
    """The label, which sets off the steps listening to it."""


@dataclass(frozen=True)
class SpanKind:
    """The three events of one kind of step: how it opens, closes and fails."""

    started: type[Event]
    completed: type[Event]
    failed: type[Failed]


CREW_SPAN = SpanKind(CrewStarted, CrewCompleted, CrewFailed)
TASK_SPAN = SpanKind(TaskStarted, TaskCompleted, TaskFailed)
AGENT_SPAN = SpanKind(AgentStarted, AgentFinished, AgentFailed)
MODEL_SPAN = SpanKind(ModelCallStarted, ModelCallCompleted, ModelCallFailed)
TOOL_SPAN = SpanKind(ToolCallStarted, ToolCallCompleted, ToolCallFailed)
FLOW_SPAN = SpanKind(FlowStarted, FlowCompleted, FlowFailed)
FLOW_STEP_SPAN = SpanKind(FlowStepStarted, FlowStepCompleted, FlowStepFailed)
"""The kinds of step a run has, each with its three events."""


_global_listeners: list[Listener] = []

_enclosing: ContextVar[tuple[str, tuple[Listener, ...]] | None] = ContextVar(
    "crewkit_enclosing_step", default=None
)


def enclosing_step() -> str | None:
    """The span of the step whose code is running here (a flow step), so a crew or flow kicked off
    inside it nests under it; ``None`` at top level."""
    enclosing = _enclosing.get()
    return enclosing[0] if enclosing else None


def enclosing_listeners() -> tuple[Listener, ...]:
    """The listeners of the run whose step is running here (see :func:`enter_step`)."""
    enclosing = _enclosing.get()
    return enclosing[1] if enclosing else ()


def enter_step(span_id: str, listeners: Sequence[Listener]) -> None:
    """Mark the current context as running inside step ``span_id``: runs started from here nest
    under it and also send their events to ``listeners`` (the enclosing run's)."""
    _enclosing.set((span_id, tuple(listeners)))


def subscribe(listener: Listener) -> Callable[[], None]:
    """Send every event of every run to ``listener``; returns a function that unsubscribes it."""
    _global_listeners.append(listener)
    return lambda: _global_listeners.remove(listener)


class EventBus:
    """Delivers a run's events to its listeners. A failing listener is logged, never fatal: a bug
    in a progress display must not lose a run's work."""

    def __init__(self, listeners: list[Listener]) -> None:
        enclosing = _enclosing.get()
        inherited = [x for x in enclosing[1] if x not in listeners] if enclosing else []
        self.own: list[Listener] = [*listeners, *inherited]
        """This run's listeners and those of the run it was started in (not the global ones)."""
        self.listeners = [*self.own, *_global_listeners]
        self.essential: list[Listener] = []
        """Listeners whose failure must stop the run (the run journal): called first, errors
        propagate."""

    def emit(self, event: Event) -> None:
        for essential in self.essential:
            essential(event)
        for listener in self.listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type(event).__name__)


class Span:
    """One step of a run. Opening it emits its kind's start event; :meth:`end` or :meth:`fail` emit
    the closing one, which repeats the opening fields it shares (an agent's role, a tool's name)."""

    def __init__(
        self,
        bus: EventBus,
        kind: SpanKind,
        *,
        run_id: str,
        span_id: str,
        parent_id: str | None,
        fields: Mapping[str, Any],
    ) -> None:
        self.bus, self.kind, self.fields = bus, kind, fields
        self.ids: dict[str, Any] = {"run_id": run_id, "span_id": span_id, "parent_id": parent_id}
        self.id = span_id
        """This step's ``span_id``: the ``parent_id`` of the steps it causes."""
        self.opened = time.perf_counter()
        bus.emit(kind.started(**self.ids, **fields))

    @property
    def elapsed(self) -> float:
        """Seconds since the step opened."""
        return time.perf_counter() - self.opened

    def end(self, **outcome: Any) -> None:
        """Close the step with its kind's completed event."""
        self.bus.emit(self._closing(self.kind.completed, outcome))

    def fail(self, error: BaseException, **outcome: Any) -> None:
        """Close the step with its kind's failed event."""
        self.bus.emit(self._closing(self.kind.failed, {"error": error, **outcome}))

    def _closing(self, event: type[Event], outcome: Mapping[str, Any]) -> Event:
        names = _field_names(event)
        shared = {k: v for k, v in self.fields.items() if k in names}
        return event(**self.ids, **shared, **outcome)


_names: dict[type[Event], frozenset[str]] = {}


def _field_names(event: type[Event]) -> frozenset[str]:
    names = _names.get(event)
    if names is None:
        names = _names[event] = frozenset(f.name for f in dataclasses.fields(event))
    return names
