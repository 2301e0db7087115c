"""What a run's events say, as (depth, kind, text) steps: the text both progress views draw.

Nesting follows each event's ``parent_id``, so a delegated agent appears under the tool call that
delegated to it (manager → coworker → its tools).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crewkit.events import (
    AgentFinished,
    AgentStarted,
    CrewCompleted,
    CrewFailed,
    CrewStarted,
    Event,
    FlowCompleted,
    FlowFailed,
    FlowStarted,
    FlowStepCompleted,
    FlowStepFailed,
    FlowStepStarted,
    ModelCallCompleted,
    RouterDecided,
    TaskCompleted,
    TaskStarted,
    ToolCallCompleted,
    ToolCallFailed,
    ToolCallStarted,
)

if TYPE_CHECKING:
    from crewkit.llm._types import Usage

_DELEGATION = {"delegate_work_to_coworker": "delegates to", "ask_question_to_coworker": "asks"}

RUN_STARTS = (CrewStarted, FlowStarted)
"""A crew's or a flow's first event."""
RUN_ENDS = (CrewCompleted, CrewFailed, FlowCompleted, FlowFailed)
"""A crew's or a flow's last event."""
OPENS = (TaskStarted, ToolCallStarted, AgentStarted, CrewStarted, FlowStepStarted)
"""Events whose span later steps nest under."""
ENDS_UNDER = (ToolCallCompleted, ToolCallFailed, FlowStepFailed, RouterDecided)
"""Events drawn under the span they end (or decide), wherever it is."""


def short(text: str, limit: int = 100) -> str:
    """One line of at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def tool_line(tool: str, arguments: Mapping[str, Any]) -> str:
    """How a tool call is shown; delegations read as sentences."""
    if tool in _DELEGATION:
        coworker = arguments.get("coworker", "?")
        what = arguments.get("task") or arguments.get("question") or ""
        return f"{_DELEGATION[tool]} {coworker}: {short(str(what), 80)}"
    return f"tool {tool} {short(json.dumps(dict(arguments), default=str), 80)}"


class Steps:
    """Turns events into (depth, kind, text) steps; renderers decide how to draw them."""

    def __init__(self, verbose: bool, reasons: bool = True) -> None:
        self.verbose = verbose
        self.reasons = reasons
        """Say why the run failed on its last line (the CLI prints the error itself, once)."""
        self.depth: dict[str, int] = {}
        self.task_spans: set[str] = set()

    def step(self, event: Event) -> tuple[int, str, str] | None:
        parent = self.depth.get(event.parent_id or "", -1)
        depth = parent + 1
        if isinstance(event, RUN_STARTS):
            # a crew or flow kicked off inside a flow step nests under it; at top level its steps
            # are the first level
            nested = event.parent_id in self.depth
            self.depth[event.span_id] = depth if nested else -1
            if isinstance(event, FlowStarted):
                return depth, "crew", f"flow {event.flow_name}"
            name = event.crew_name
            return depth, "crew", "crew" if name == "crew" else f"crew {name}"
        flow_step = self._flow_step(event, depth)
        if flow_step is not None:
            return flow_step
        if isinstance(event, TaskStarted):
            self.depth[event.span_id] = depth
            self.task_spans.add(event.span_id)
            return depth, "task", f"task {event.task_name} → {event.agent_role}"
        if isinstance(event, AgentStarted):
            # a task's own agent is already named on the task line; a delegated one gets its own level
            nested = event.parent_id not in self.task_spans
            self.depth[event.span_id] = depth if nested else parent
            return (depth, "agent", f"{event.agent_role} starts") if nested else None
        if isinstance(event, ToolCallStarted):
            self.depth[event.span_id] = depth
            return depth, "tool", tool_line(event.tool_name, event.arguments)
        if isinstance(event, ToolCallFailed):
            return (
                depth + 1,
                "error",
                f"failed: {short(f'{type(event.error).__name__}: {event.error}')}",
            )
        if isinstance(event, ToolCallCompleted):
            if event.error:
                return depth + 1, "error", f"failed: {short(event.result)}"
            # a delegation's result is the coworker's answer, already shown as "... answered"
            shown = self.verbose and event.tool_name not in _DELEGATION
            return (depth + 1, "result", f"→ {short(event.result)}") if shown else None
        if isinstance(event, ModelCallCompleted):
            if not self.verbose:
                return None
            usage = event.usage
            return (
                depth,
                "model",
                (
                    f"{event.model}: {usage.prompt_tokens}+{usage.completion_tokens} tokens, "
                    f"{event.duration:.2f}s"
                ),
            )
        if isinstance(event, AgentFinished):
            mark = " (forced at max_iter)" if event.forced else ""
            return depth, "answer", f"{event.agent_role} answered{mark}: {short(event.answer, 90)}"
        if isinstance(event, TaskCompleted):
            return (
                depth,
                "done",
                f"✓ {_short_label(event.output.name)}: {_spent(event.output.token_usage)}",
            )
        level = self.depth.get(event.span_id, -1) + 1  # a run's own closing line
        if isinstance(event, (CrewFailed, FlowFailed)):
            return level, "failed", failure_line(event.error, reasons=self.reasons)
        if isinstance(event, CrewCompleted):
            return level, "finished", f"finished: {_spent(event.output.token_usage)}"
        if isinstance(event, FlowCompleted):
            steps = f"{event.steps} step{'s' if event.steps != 1 else ''}"
            return level, "finished", f"finished: {steps} in {event.duration:.2f}s"
        return None

    def _flow_step(self, event: Event, depth: int) -> tuple[int, str, str] | None:
        if isinstance(event, FlowStepStarted):
            self.depth[event.span_id] = depth
            cause = f" ← {event.trigger}" if event.trigger else ""
            return depth, "task", f"step {event.step}{cause}"
        mine = self.depth.get(event.span_id, depth)
        if isinstance(event, FlowStepCompleted):
            return mine, "done", f"✓ {event.step} {event.duration:.2f}s"
        if isinstance(event, FlowStepFailed):
            error = short(f"{type(event.error).__name__}: {event.error}")
            return mine, "error", f"✗ {event.step} failed: {error}"
        if isinstance(event, RouterDecided):
            return mine + 1, "answer", f"→ {event.label!r}" if event.label else "→ nothing"
        return None


def failure_line(error: BaseException, *, reasons: bool = True) -> str:
    """The last line of a failed run: interrupted, or failed (and why, unless told not to)."""
    if isinstance(error, (KeyboardInterrupt, asyncio.CancelledError)):
        return "✗ interrupted"
    if not reasons:
        return "✗ failed"
    return f"✗ failed: {short(str(error) or type(error).__name__, 200)}"


def _short_label(label: str) -> str:
    """``Task 2`` for ``Task 2: <description>``: the task line above already shows the text."""
    head, sep, _ = label.partition(": ")
    return head if sep and head.startswith("Task ") and head[5:].isdigit() else label


def _spent(usage: Usage) -> str:
    """``3 model calls, 1200 tokens``."""
    calls = f"{usage.requests} model call{'s' if usage.requests != 1 else ''}"
    return f"{calls}, {usage.total_tokens} tokens"
