"""Typed events a run emits, the spans that emit them, and the listeners that receive them.

Every step of a run (crew, task, agent, model call, tool call) is a span: it opens with a
``...Started`` event and closes with a ``...Completed`` (``AgentFinished``) or a ``...Failed`` event,
all three carrying its ``span_id``. The ``parent_id`` is the step that caused it, so a delegation
shows up nested under the tool call that made it (crew → task → agent → model/tool → agent ...).

A run that streams (``crew.stream()``, ``Crew(stream=True)``, the CLI's live view) also reports each
model reply as it is written: :class:`ModelTextDelta` and :class:`ToolCallDelta` on the model call's
span, and :class:`ModelStreamRestarted` when a reply broke off and is asked for again. Every event
has a ``seq``: its place in the run's stream, from 1, without gaps.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crewkit.llm._types import ModelRequest, ModelResponse, Usage

if TYPE_CHECKING:
    from crewkit.task import CrewOutput, TaskOutput

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
    seq: int = 0
    """Place in the run's event stream (1, 2, ...), set when the event is emitted."""


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
    task_index: int = -1
    """The task's place in the crew's task list, from 0."""


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
    task_name: str = ""
    """The task the call serves."""


@dataclass(frozen=True, kw_only=True)
class ModelCallStarted(_ModelStep):
    """A request went to a model."""

    provider: str = ""
    """The provider part of the label (``openai``, ``local`` ...)."""
    endpoint: str | None = None
    """Where the request goes; ``None`` for models in this process."""
    request: ModelRequest | None = None
    """What the model is asked (for tracers that record content)."""


@dataclass(frozen=True, kw_only=True)
class ModelCallCompleted(_ModelStep):
    """A model answered; ``usage`` is this call's, counted once."""

    response: ModelResponse
    """The answer."""
    usage: Usage
    """Tokens of this call."""
    duration: float
    """Seconds the call took, cassette and retries included."""
    time_to_first_chunk: float | None = None
    """Seconds until the first streamed piece of the reply; ``None`` when not streamed."""


@dataclass(frozen=True, kw_only=True)
class ModelCallFailed(_ModelStep, Failed):
    """A model call raised (after the backend's own retries)."""


@dataclass(frozen=True, kw_only=True)
class ModelTextDelta(_ModelStep):
    """A piece of a reply as the model writes it. Since the last :class:`ModelStreamRestarted` of
    its call, the pieces join to exactly the text of its :class:`ModelCallCompleted`."""

    text: str
    """The new text."""


@dataclass(frozen=True, kw_only=True)
class ToolCallDelta(_ModelStep):
    """A piece of a tool call as the model writes it."""

    index: int
    """Which call of the reply (a reply may hold several)."""
    call_id: str
    """The provider's id of the call, once known."""
    tool_name: str
    """The tool's name, once known."""
    arguments: str
    """The next piece of the arguments' JSON text."""


@dataclass(frozen=True, kw_only=True)
class ModelStreamRestarted(_ModelStep):
    """The reply broke off (or came out other than streamed) and is being written again: forget
    this call's pieces so far."""

    reason: str
    """Why."""


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
    call_id: str = ""
    """The model's id of the call (native tool calls), else empty."""


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
