"""The listener that turns a run's events into OpenTelemetry spans as they happen.

A span starts at its step's start event and ends at its completed or failed event, with the events'
own timestamps, so a slow listener never skews durations. A task's own agent is the task's
``invoke_agent`` span; an agent working on delegated work gets its own, under the ``execute_tool``
span of the delegation, so parents follow delegation.
"""

from __future__ import annotations

import threading
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace

from crewkit.events import (
    AgentFinished,
    AgentStarted,
    CrewCompleted,
    CrewFailed,
    Event,
    Failed,
    ModelCallCompleted,
    TaskCompleted,
    TaskStarted,
    ToolCallCompleted,
)
from crewkit.tracing import _genai

_KINDS = {"internal": trace.SpanKind.INTERNAL, "client": trace.SpanKind.CLIENT}
_ENDS = (CrewCompleted, TaskCompleted, AgentFinished, ModelCallCompleted, ToolCallCompleted)


class SpanListener:
    """Receives every event of every run (``crewkit.events.subscribe``) and keeps one span per
    open step. Safe to share between concurrent runs."""

    def __init__(self, tracer: trace.Tracer, include_content: bool) -> None:
        self.tracer = tracer
        self.include_content = include_content
        self._lock = threading.Lock()
        self._open: dict[str, Any] = {}  # span_id -> open OTel span
        self._parents: dict[str, Any] = {}  # span_id -> the OTel span its children go under
        self._tasks: set[str] = set()
        self._task_agents: set[str] = set()  # agent span ids folded into their task's span

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._handle(event)

    def _handle(self, event: Event) -> None:
        nanos = int(event.timestamp * 1e9)
        if isinstance(event, AgentStarted) and event.parent_id in self._tasks:
            # The task's own agent: its steps nest under the task's span.
            self._task_agents.add(event.span_id)
            self._parents[event.span_id] = self._parents[event.parent_id or ""]
            return
        start = _genai.opening(event, self.include_content)
        if start is not None:
            parent = self._parents.get(event.parent_id or "")
            ctx = (
                trace.set_span_in_context(parent)
                if parent is not None
                else otel_context.get_current()
            )
            span = self.tracer.start_span(
                start.name, context=ctx, kind=_KINDS[start.kind], attributes=start.attributes,
                start_time=nanos,
            )  # fmt: skip
            self._open[event.span_id] = self._parents[event.span_id] = span
            if isinstance(event, TaskStarted):
                self._tasks.add(event.span_id)
            return
        if isinstance(event, AgentFinished) and event.span_id in self._task_agents:
            return
        if isinstance(event, Failed):
            self._fail(event, nanos)
        elif isinstance(event, _ENDS):
            span = self._open.pop(event.span_id, None)
            if span is not None:
                closing = _genai.closing(event, self.include_content)
                if closing:
                    span.set_attributes(closing)
                span.end(end_time=nanos)
        if isinstance(event, (CrewCompleted, CrewFailed)):
            self._forget(event.run_id, nanos)

    def _fail(self, event: Failed, nanos: int) -> None:
        if event.span_id in self._task_agents:
            return
        span = self._open.pop(event.span_id, None)
        if span is None:
            return
        error_type, description = _genai.failure(event, self.include_content)
        span.set_attribute("error.type", error_type)
        span.set_status(trace.Status(trace.StatusCode.ERROR, description))
        span.end(end_time=nanos)

    def _forget(self, run_id: str, nanos: int) -> None:
        """At a run's end, close what it left open (steps cut short by the failure) and drop
        its state."""
        prefix = f"{run_id}."
        for span_id in [s for s in self._open if s.startswith(prefix)]:
            span = self._open.pop(span_id)
            span.set_status(trace.Status(trace.StatusCode.ERROR, None))
            span.end(end_time=nanos)
        for span_id in [s for s in self._parents if s.startswith(prefix)]:
            del self._parents[span_id]
        self._tasks = {s for s in self._tasks if not s.startswith(prefix)}
        self._task_agents = {s for s in self._task_agents if not s.startswith(prefix)}
