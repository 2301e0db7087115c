"""A run as people watch it — ``Crew(verbose=True)`` and ``crewkit kickoff`` alike: a live rich tree
on a terminal (:mod:`._tree`), plain lines otherwise (:mod:`._lines`: pipes, logs, ``NO_COLOR``).

Both draw the same steps, read from the events by :mod:`._steps`.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from crewkit._console._lines import LineProgress
from crewkit._console._steps import failure_line, short, tool_line
from crewkit._console._tree import TreeProgress, terminal_paused
from crewkit.events import enclosing_listeners

__all__ = [
    "LineProgress",
    "TreeProgress",
    "ask_on_console",
    "failure_line",
    "plain_output",
    "progress",
    "short",
    "showing_progress",
    "terminal_paused",
    "tool_line",
]


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
