"""The live rich tree on a terminal: redrawn as events arrive, following its tail when taller than
the screen, paused while a person is asked something."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from crewkit._console._replies import WRITING_EVENTS, ReplyLines
from crewkit._console._steps import ENDS_UNDER, OPENS, RUN_ENDS, RUN_STARTS, Steps
from crewkit.events import AgentStarted, Event, FlowStepCompleted, TaskCompleted

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.live import Live
    from rich.tree import Tree

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
        self.steps = Steps(verbose)
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
        if isinstance(event, RUN_STARTS) and self.root is None:
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
            elif isinstance(event, RUN_ENDS):
                self.nodes.get(event.span_id, self.root).add(label)
            elif isinstance(event, ENDS_UNDER):
                self.nodes.get(event.span_id, self._parent(event)).add(label)
            else:
                node = self._parent(event).add(label)
                if isinstance(event, OPENS):
                    self.nodes[event.span_id] = node
        elif isinstance(event, AgentStarted):
            self.nodes[event.span_id] = self._parent(event)
        if isinstance(event, RUN_ENDS) and event.span_id == self.root_span:
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
