"""A run as people watch it — ``Crew(verbose=True)`` and ``crewkit kickoff`` alike: a live rich tree
on a terminal, plain lines otherwise (pipes, logs, ``NO_COLOR``).

Both read the same events. Nesting follows each event's ``parent_id``, so a delegated agent appears under
the tool call that delegated to it (manager → coworker → its tools).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from crewkit._replies import WRITING_EVENTS, ReplyLines
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
    enclosing_listeners,
)

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
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

    def __init__(self, verbose: bool, reasons: bool = True) -> None:
        self.verbose = verbose
        self.reasons = reasons
        """Say why the run failed on its last line (the CLI prints the error itself, once)."""
        self.depth: dict[str, int] = {}
        self.task_spans: set[str] = set()

    def step(self, event: Event) -> tuple[int, str, str] | None:
        parent = self.depth.get(event.parent_id or "", -1)
        depth = parent + 1
        if isinstance(event, (CrewStarted, FlowStarted)):
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
            usage = event.output.token_usage
            return (
                depth,
                "done",
                f"✓ {_short_label(event.output.name)}: {_calls(usage.requests)}, "
                f"{usage.total_tokens} tokens",
            )
        level = self.depth.get(event.span_id, -1) + 1  # a run's own closing line
        if isinstance(event, (CrewFailed, FlowFailed)):
            return level, "failed", failure_line(event.error, reasons=self.reasons)
        if isinstance(event, CrewCompleted):
            usage = event.output.token_usage
            return (
                level,
                "finished",
                f"finished: {_calls(usage.requests)}, {usage.total_tokens} tokens",
            )
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
    """A rich tree on stderr, redrawn as events arrive. While it is taller than the terminal,
    finished tasks fold to their summary line and the tail stays in sight (see :class:`_Tail`);
    ``print()`` and logging lines written meanwhile appear above it, and a human review pauses it
    (:func:`terminal_paused`)."""

    def __init__(self, console: Console, *, verbose: bool = False) -> None:
        self.console = console
        self.steps = _Steps(verbose)
        self.nodes: dict[str, Tree] = {}
        self.root: Tree | None = None
        self.view: _Tail | None = None
        self.root_span = ""
        self.live: Live | None = None
        self._logging: list[tuple[logging.StreamHandler[Any], Any]] = []
        self.replies = ReplyLines()
        """Replies being streamed, shown as they are written."""

    def __call__(self, event: Event) -> None:
        from rich.markup import escape
        from rich.tree import Tree

        if isinstance(event, WRITING_EVENTS) and self.root is not None:
            self.replies.update(event, self._parent)
        step = self.steps.step(event)
        if isinstance(event, (CrewStarted, FlowStarted)) and self.root is None:
            self.root = Tree(f"[bold]{escape(step[2] if step else 'run')}[/]")
            self.root_span = event.span_id
            self.nodes[event.span_id] = self.root
            self.view = _Tail(self.root)
            self._start()
            return
        if self.root is None:
            return
        if step is not None:
            _, kind, text = step
            label = f"[{_STYLES.get(kind, '')}]{escape(text)}[/]"
            if isinstance(event, (TaskCompleted, FlowStepCompleted)):
                node = self.nodes.get(event.span_id)
                if node is not None:
                    detail = text.split(": " if isinstance(event, TaskCompleted) else " ")[-1]
                    node.label = f"{node.label} [green]✓[/] [dim]{escape(detail)}[/]"
                    if self.view is not None:
                        self.view.finished.append(node)
            elif isinstance(event, (CrewCompleted, CrewFailed, FlowCompleted, FlowFailed)):
                self.nodes.get(event.span_id, self.root).add(label)
            elif isinstance(
                event, (ToolCallCompleted, ToolCallFailed, FlowStepFailed, RouterDecided)
            ):
                self.nodes.get(event.span_id, self._parent(event)).add(label)
            else:
                parent = self._parent(event)
                node = parent.add(label)
                if isinstance(
                    event,
                    (TaskStarted, ToolCallStarted, AgentStarted, CrewStarted, FlowStepStarted),
                ):
                    self.nodes[event.span_id] = node
        elif isinstance(event, AgentStarted):
            self.nodes[event.span_id] = self._parent(event)
        ended = isinstance(event, (CrewCompleted, CrewFailed, FlowCompleted, FlowFailed))
        if ended and event.span_id == self.root_span:
            self.close()

    def _parent(self, event: Event) -> Tree:
        assert self.root is not None
        return self.nodes.get(event.parent_id or "", self.root)

    def _start(self) -> None:
        from rich.live import Live

        real = {id(sys.stdout): "stdout", id(sys.stderr): "stderr"}
        self.live = Live(
            self.view, console=self.console, refresh_per_second=8, vertical_overflow="visible"
        )
        self.live.start()
        _active.append(self)
        # Handlers made before the display hold the real streams; point them at its proxies too
        # (Live redirects sys.stdout and sys.stderr), so their lines print above the tree.
        for handler in _stream_handlers():
            name = real.get(id(handler.stream))
            if name is not None:
                self._logging.append((handler, handler.stream))
                handler.setStream(getattr(sys, name))

    def pause(self) -> None:
        """Take the tree off the screen (a person is asked something); :meth:`resume` redraws it."""
        if self.live is not None:
            self.live.transient = True
            self._stop()

    def resume(self) -> None:
        """Draw the tree again below whatever was printed while it was paused."""
        if self.live is None and self.view is not None:
            self._start()

    def _stop(self) -> None:
        for handler, stream in reversed(self._logging):
            handler.setStream(stream)
        self._logging.clear()
        if self in _active:
            _active.remove(self)
        if self.live is not None:
            self.live.stop()
            self.live = None

    def close(self) -> None:
        """Stop the live display, leaving the whole tree on screen (also when the run ended
        without a final event)."""
        if self.view is not None:
            self.view.full = True
        self._stop()


_active: list[TreeProgress] = []


@contextmanager
def terminal_paused() -> Iterator[None]:
    """Take every live tree off the screen for the block (a prompt, a review), then redraw it."""
    paused = list(_active)
    for tree in paused:
        tree.pause()
    try:
        yield
    finally:
        for tree in paused:
            tree.resume()


def _stream_handlers() -> list[logging.StreamHandler[Any]]:
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = [h for lg in loggers if isinstance(lg, logging.Logger) for h in lg.handlers]
    return [
        h
        for h in dict.fromkeys(handlers)
        if type(h) is logging.StreamHandler  # not FileHandler and friends
    ]


class _Tail:
    """The tree as the screen shows it while it grows. Taller than the terminal, finished tasks
    are folded to their summary line; still taller, the first lines give way to "… N lines above",
    so the step in progress always shows. ``full`` draws everything (the final picture)."""

    def __init__(self, root: Tree) -> None:
        self.root = root
        self.finished: list[Tree] = []
        self.full = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        if self.full:
            yield self.root
            return
        room = max(console.size.height - 1, 4)
        lines = console.render_lines(self.root, options, pad=False, new_lines=False)
        if len(lines) > room:
            for node in self.finished:
                node.expanded = False
            try:
                lines = console.render_lines(self.root, options, pad=False, new_lines=False)
            finally:
                for node in self.finished:
                    node.expanded = True
        if len(lines) > room:
            hidden = len(lines) - room + 1
            yield Segment(f"… {hidden} lines above", console.get_style("dim"))
            yield Segment.line()
            lines = lines[-(room - 1) :]
        for line in lines:
            yield from line
            yield Segment.line()


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


def _calls(count: int) -> str:
    return f"{count} model call{'s' if count != 1 else ''}"


def showing_progress() -> bool:
    """Whether the run this code runs inside (a verbose flow) already shows progress on stderr."""
    return any(isinstance(x, (LineProgress, TreeProgress)) for x in enclosing_listeners())


def plain_output() -> bool:
    """Whether stderr wants plain lines rather than a live tree."""
    return not sys.stderr.isatty() or bool(os.environ.get("NO_COLOR"))


def progress(*, verbose: bool, reasons: bool = True) -> LineProgress | TreeProgress:
    """The listener that shows a run on stderr; ``verbose`` adds model calls and tool results,
    ``reasons=False`` leaves the failure's reason to the caller (the CLI prints it once)."""
    if plain_output():
        listener: LineProgress | TreeProgress = LineProgress(sys.stderr, verbose=verbose)
    else:
        from rich.console import Console

        listener = TreeProgress(Console(stderr=True), verbose=verbose)
    listener.steps.reasons = reasons
    return listener


async def ask_on_console(output: Any) -> str:
    """A person's review of a task's answer: the answer in a panel, then a prompt, with any live
    tree taken off the screen meanwhile so neither is drawn over."""
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.panel import Panel

    console = Console(stderr=True)
    with terminal_paused():
        console.print()
        console.print(Panel(Markdown(output.raw), title=f"Review: {output.name}"))
        answer: str = await asyncio.to_thread(
            console.input, "Feedback for the agent (press Enter to accept): "
        )
    return answer
