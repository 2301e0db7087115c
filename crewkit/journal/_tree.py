"""A run's steps as a tree: run → task → agent → model and tool calls → delegated agents ...

Built from the journal's ``span``/``parent`` columns, the same ids the run's events carry. A step's
opening and closing entries (``tool_started``/``tool``...) share a span and become one node.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from crewkit.journal._records import Entry, RunRecord

_CLOSING = {
    "task_output": "task",
    "agent_finished": "agent",
    "model": "model",
    "tool": "tool",
    "run_ended": "run",
}


@dataclass
class Node:
    """One step: what it was, its entries, and the steps inside it."""

    span: str
    """The step's id."""
    kind: str
    """``run``, ``task``, ``agent``, ``model``, ``tool``, ``delegation``, ``review``..."""
    start: Entry
    """The entry that opened it."""
    end: Entry | None = None
    """The entry that closed it; ``None`` while it runs (or if the run was cut short)."""
    notes: list[Entry] = field(default_factory=list)
    """Other entries about this step (text deltas, reviews, recalled memories)."""
    children: list[Node] = field(default_factory=list)
    """Steps inside it, in order."""

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, when it has ended."""
        return None if self.end is None else self.end.time - self.start.time


@dataclass
class RunTree:
    """A run and its steps."""

    run: RunRecord
    """The run's record."""
    children: list[Node]
    """Top-level steps (tasks, and the planner's calls)."""


def build_tree(run: RunRecord, entries: Iterable[Entry]) -> RunTree:
    nodes: dict[str, Node] = {}
    roots: list[Node] = []
    for entry in entries:
        if entry.kind in ("run_started", "run_resumed", "run_ended"):
            continue
        span = entry.span
        if span is not None and span in nodes:
            node = nodes[span]
            if _CLOSING.get(entry.kind) == node.kind:
                node.end = entry
            else:
                node.notes.append(entry)
            continue
        kind = entry.kind.removesuffix("_started")
        kind = _CLOSING.get(kind, kind)
        node = Node(span=span or f"#{entry.seq}", kind=kind, start=entry)
        if _CLOSING.get(entry.kind) == kind and not entry.kind.endswith("_started"):
            node.end = entry  # a step journaled in one entry (a replayed call, a review)
        if span is not None:
            nodes[span] = node
        owner = nodes.get(entry.parent or "")
        (owner.children if owner is not None else roots).append(node)
    return RunTree(run=run, children=roots)
