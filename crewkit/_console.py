"""A run as people watch it — ``Crew(verbose=True)`` and ``crewkit kickoff`` alike: a live rich tree
on a terminal, plain lines otherwise (pipes, logs, ``NO_COLOR``).

Both read the same events. Nesting follows each event's ``parent_id``, so a delegated agent appears under
the tool call that delegated to it (manager → coworker → its tools).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from crewkit.events import (
    AgentFinished,
    AgentStarted,
    CrewCompleted,
    CrewFailed,
    CrewStarted,
    Event,
    ModelCallCompleted,
    ModelCallFailed,
    ModelStreamRestarted,
    ModelTextDelta,
    TaskCompleted,
    TaskStarted,
    ToolCallCompleted,
    ToolCallFailed,
    ToolCallStarted,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from rich.tree import Tree

_DELEGATION = {"delegate_work_to_coworker": "delegates to", "ask_question_to_coworker": "asks"}


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


class _Steps:
    """Turns events into (depth, kind, text) steps; renderers decide how to draw them."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.depth: dict[str, int] = {}
        self.task_spans: set[str] = set()

    def step(self, event: Event) -> tuple[int, str, str] | None:
        parent = self.depth.get(event.parent_id or "", -1)
        depth = parent + 1
        if isinstance(event, CrewStarted):
            self.depth[event.span_id] = -1
            return 0, "crew", f"crew {event.crew_name}"
        if isinstance(event, TaskStarted):
            self.depth[event.span_id] = depth
            self.task_spans.add(event.span_id)
            return depth, "task", f"task {event.task_name} → {event.agent_role}"
        if isinstance(event, AgentStarted):
            # a task's own agent is already named on the task line; a delegated one gets its own level
            nested = event.parent_id not in self.task_spans
            self.depth[event.span_id] = depth if nested else parent
            return (
                (depth, "agent", f"{event.agent_role} starts on {event.task_name}")
                if nested
                else None
            )
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
            return (depth + 1, "result", f"→ {short(event.result)}") if self.verbose else None
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
            usage = event.output.token_usage
            return (
                depth,
                "done",
                (f"✓ {event.output.name}: {_calls(usage.requests)}, {usage.total_tokens} tokens"),
            )
        if isinstance(event, CrewFailed):
            return 0, "failed", f"✗ failed: {short(str(event.error), 200)}"
        if isinstance(event, CrewCompleted):
            usage = event.output.token_usage
            return (
                0,
                "finished",
                f"finished: {_calls(usage.requests)}, {usage.total_tokens} tokens",
            )
        return None


class LineProgress:
    """Plain progress lines, for logs, pipes and ``NO_COLOR``."""

    def __init__(self, stream: IO[str], *, verbose: bool = False) -> None:
        self.stream = stream
        self.steps = _Steps(verbose)

    def __call__(self, event: Event) -> None:
        step = self.steps.step(event)
        if step is None:
            return
        depth, _, text = step
        self.stream.write("  " * max(depth, 0) + text + "\n")
        self.stream.flush()


_WRITING = (ModelTextDelta, ModelStreamRestarted, ModelCallCompleted, ModelCallFailed)

_STYLES = {
    "crew": "bold",
    "task": "bold cyan",
    "agent": "magenta",
    "tool": "yellow",
    "error": "red",
    "result": "dim",
    "model": "dim",
    "answer": "green",
    "done": "green",
    "failed": "bold red",
    "finished": "bold green",
}


class TreeProgress:
    """A rich tree on stderr, redrawn as events arrive."""

    def __init__(self, console: Console, *, verbose: bool = False) -> None:
        self.console = console
        self.steps = _Steps(verbose)
        self.nodes: dict[str, Tree] = {}
        self.root: Tree | None = None
        self.live: Live | None = None
        self.writing: dict[str, tuple[Tree, Tree, str]] = {}
        """Model calls being streamed: (parent node, the reply's node, its text so far)."""

    def __call__(self, event: Event) -> None:
        from rich.live import Live
        from rich.markup import escape
        from rich.tree import Tree

        if isinstance(event, _WRITING) and self.root is not None:
            self._write(event)
        step = self.steps.step(event)
        if isinstance(event, CrewStarted):
            self.root = Tree(f"[bold]{escape(step[2] if step else 'crew')}[/]")
            self.nodes[event.span_id] = self.root
            self.live = Live(self.root, console=self.console, refresh_per_second=8, transient=False)
            self.live.start()
            return
        if self.root is None:
            return
        if step is not None:
            _, kind, text = step
            label = f"[{_STYLES.get(kind, '')}]{escape(text)}[/]"
            if isinstance(event, TaskCompleted):
                node = self.nodes.get(event.span_id)
                if node is not None:
                    node.label = (
                        f"{node.label} [green]✓[/] [dim]{escape(text.split(': ', 1)[-1])}[/]"
                    )
            elif isinstance(event, (CrewCompleted, CrewFailed)):
                self.root.add(label)
            elif isinstance(event, (ToolCallCompleted, ToolCallFailed)):
                self.nodes.get(event.span_id, self._parent(event)).add(label)
            else:
                parent = self._parent(event)
                node = parent.add(label)
                if isinstance(event, (TaskStarted, ToolCallStarted, AgentStarted)):
                    self.nodes[event.span_id] = node
        elif isinstance(event, AgentStarted):
            self.nodes[event.span_id] = self._parent(event)
        if isinstance(event, (CrewCompleted, CrewFailed)) and self.live is not None:
            self.live.stop()
            self.live = None

    def _parent(self, event: Event) -> Tree:
        assert self.root is not None
        return self.nodes.get(event.parent_id or "", self.root)

    def _write(self, event: Event) -> None:
        """The reply being written, as a dim line under its agent: its last words, until the
        call ends."""
        from rich.markup import escape

        entry = self.writing.get(event.span_id)
        if isinstance(event, ModelTextDelta):
            if entry is None:
                parent = self._parent(event)
                entry = (parent, parent.add(""), "")
            parent, node, text = entry
            text += event.text
            node.label = f"[dim italic]✎ {escape(writing_tail(text))}[/]"
            self.writing[event.span_id] = (parent, node, text)
        elif isinstance(event, ModelStreamRestarted) and entry is not None:
            self.writing[event.span_id] = (entry[0], entry[1], "")
        elif entry is not None:  # the call ended: its reply shows up in the steps that follow
            parent, node, _ = self.writing.pop(event.span_id)
            if node in parent.children:
                parent.children.remove(node)

    def close(self) -> None:
        """Stop the live display (also when the run ended without a final event)."""
        if self.live is not None:
            self.live.stop()
            self.live = None


def writing_tail(text: str, width: int = 96) -> str:
    """The end of a reply being written, on one line: its last two lines, each cut to ``width``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][-2:]
    return " ⏎ ".join(line if len(line) <= width else "…" + line[-width:] for line in lines)


def _calls(count: int) -> str:
    return f"{count} model call{'s' if count != 1 else ''}"


def plain_output() -> bool:
    """Whether stderr wants plain lines rather than a live tree."""
    return not sys.stderr.isatty() or bool(os.environ.get("NO_COLOR"))


def progress(*, verbose: bool) -> LineProgress | TreeProgress:
    """The listener that shows a run on stderr; ``verbose`` adds model calls and tool results."""
    if plain_output():
        return LineProgress(sys.stderr, verbose=verbose)
    from rich.console import Console

    return TreeProgress(Console(stderr=True), verbose=verbose)
