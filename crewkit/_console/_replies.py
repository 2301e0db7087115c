"""The live view's line for a reply being written: the end of the text a model is streaming,
dim under its agent, until the call ends (its outcome then shows in the steps that follow)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from crewkit.events import (
    Event,
    ModelCallCompleted,
    ModelCallFailed,
    ModelStreamRestarted,
    ModelTextDelta,
)

if TYPE_CHECKING:
    from rich.tree import Tree

WRITING_EVENTS = (ModelTextDelta, ModelStreamRestarted, ModelCallCompleted, ModelCallFailed)
"""The events :class:`ReplyLines` follows."""


class ReplyLines:
    """One tree node per model call being streamed."""

    def __init__(self) -> None:
        self.writing: dict[str, tuple[Tree, Tree, str]] = {}
        """Calls being streamed: (parent node, the reply's node, its text so far)."""

    def update(self, event: Event, parent_of: Callable[[Event], Tree]) -> None:
        """Follow ``event``; ``parent_of`` finds the node a call's line goes under."""
        from rich.markup import escape

        entry = self.writing.get(event.span_id)
        if isinstance(event, ModelTextDelta):
            if entry is None:
                parent = parent_of(event)
                entry = (parent, parent.add(""), "")
            parent, node, text = entry
            text += event.text
            node.label = f"[dim italic]✎ {escape(writing_tail(text))}[/]"
            self.writing[event.span_id] = (parent, node, text)
        elif isinstance(event, ModelStreamRestarted) and entry is not None:
            self.writing[event.span_id] = (entry[0], entry[1], "")
        elif entry is not None:
            parent, node, _ = self.writing.pop(event.span_id)
            if node in parent.children:
                parent.children.remove(node)


def writing_tail(text: str, width: int = 96) -> str:
    """The end of a reply being written, on one line: its last two lines, each cut to ``width``."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][-2:]
    return " ⏎ ".join(line if len(line) <= width else "…" + line[-width:] for line in lines)
