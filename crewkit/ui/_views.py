"""What the pages show, computed from journal records: the rows of a run's tree with their place on
the timeline and their tokens and cost, the step an error came from, a batch's rate and ETA.

Plain functions over plain records — no web framework here — so each figure is tested directly."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crewkit.journal import BatchProgress, Entry, Node, RunRecord, RunTree

TIMELINE_WIDTH = 1000
"""Width of the timeline in SVG user units; bars are placed in this box."""

VIEWABLE = ("model", "tool")
"""Steps with a request/reply page."""


@dataclass(frozen=True)
class StepRow:
    """One line of a run's tree."""

    seq: int
    """The entry that opened the step: its anchor and its viewer's address."""
    depth: int
    """Nesting: 0 for a task, 1 for its agent, 2 for the agent's calls ..."""
    kind: str
    """``task``, ``agent``, ``model``, ``tool``, ``delegation``, ``review`` ..."""
    label: str
    """What the step was: the task's label, the agent's role, the model, the tool and arguments."""
    state: str
    """``done``, ``running`` or ``failed``."""
    offset: float
    """Seconds from the run's start to the step's start."""
    duration: float | None
    """Seconds it took; ``None`` while it runs."""
    prompt_tokens: int
    """Prompt tokens of the model calls in it."""
    completion_tokens: int
    """Completion tokens of the model calls in it."""
    cost: float | None
    """USD of the model calls in it when known."""
    replayed: bool
    """Answered from the journal on a resume, not asked again."""
    error: str | None
    """Why it failed, when it did."""
    bar_x: float
    """Timeline bar start, in :data:`TIMELINE_WIDTH` units."""
    bar_width: float
    """Timeline bar width (at least 2 units, so a quick step stays visible)."""

    @property
    def viewable(self) -> bool:
        """Whether the step has a request/reply page."""
        return self.kind in VIEWABLE


def run_window(
    run: RunRecord, last_time: float | None, now: float | None = None
) -> tuple[float, float]:
    """The run's start and its span in seconds: to its end, to now while running."""
    end = run.ended if run.ended is not None and run.status != "running" else None
    if end is None:
        end = now if run.status == "running" else last_time
    if end is None:
        end = time.time() if now is None else now
    return run.started, max(end - run.started, 1e-6)


def step_rows(tree: RunTree, now: float | None = None) -> list[StepRow]:
    """The tree flattened in display order, each row placed on the run's timeline."""
    nodes = list(_walk(tree.children, 0))
    last = max((_last_time(node) for node, _ in nodes), default=None)
    start, span = run_window(tree.run, last, now)
    failed_run = tree.run.status == "failed"
    rows = []
    for node, depth in nodes:
        prompt, completion, cost = _usage(node)
        offset = node.start.time - start
        duration = node.duration
        # a step still open reaches to now while the run runs, else to where the run stopped
        shown = duration if duration is not None else start + span - node.start.time
        error = _error_of(node)
        if error is not None:
            state = "failed"
        elif node.end is not None:
            state = "done"
        elif failed_run:
            state = "failed"
        else:
            state = "running" if tree.run.status == "running" else "stopped"
        x = max(0.0, min(offset / span, 1.0)) * TIMELINE_WIDTH
        width = max(2.0, min(shown / span, 1.0) * TIMELINE_WIDTH)
        rows.append(
            StepRow(
                seq=node.start.seq, depth=depth, kind=node.kind, label=label_of(node), state=state,
                offset=offset, duration=duration, prompt_tokens=prompt,
                completion_tokens=completion, cost=cost,
                replayed=bool((node.end or node.start).data.get("replayed")), error=error,
                bar_x=x, bar_width=min(width, TIMELINE_WIDTH - x),
            )
        )  # fmt: skip
    return rows


def last_seq(tree: RunTree) -> int:
    """The newest entry the tree shows: a live page follows from there."""
    seqs = [e.seq for node, _ in _walk(tree.children, 0)
            for e in (node.start, node.end, *node.notes) if e is not None]  # fmt: skip
    return max(seqs, default=0)


def _walk(nodes: Sequence[Node], depth: int) -> Iterator[tuple[Node, int]]:
    for node in nodes:
        yield node, depth
        yield from _walk(node.children, depth + 1)


def _last_time(node: Node) -> float:
    return max(e.time for e in (node.start, node.end, *node.notes) if e is not None)


def label_of(node: Node) -> str:
    """A step's one-line description."""
    data = node.start.data
    if node.kind == "task":
        return str(data.get("label") or node.start.task or "task")
    if node.kind == "agent":
        return str(node.start.agent or "agent")
    if node.kind == "model":
        return str(data.get("model") or (node.end.data.get("model") if node.end else "") or "model")
    if node.kind == "tool":
        found = node.end.data if node.end is not None else data
        return f"{found.get('tool', 'tool')}({_short_args(found.get('args'))})"
    if node.kind == "delegation":
        return f"{data.get('kind', 'work')} → {data.get('coworker', '?')}"
    if node.kind == "review":
        return f"review: {data.get('status', '')}"
    return node.kind


def _short_args(args: Any, limit: int = 60) -> str:
    if not isinstance(args, Mapping):
        return ""
    text = ", ".join(f"{k}={v!r}" for k, v in args.items())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _usage(node: Node) -> tuple[int, int, float | None]:
    prompt = completion = 0
    costs: list[float | None] = []
    for each, _ in _walk([node], 0):
        if each.kind == "model" and each.end is not None:
            usage = each.end.data.get("usage") or {}
            prompt += int(usage.get("prompt", 0))
            completion += int(usage.get("completion", 0))
            costs.append(each.end.data.get("cost"))
    known = [c for c in costs if c is not None]
    return prompt, completion, (sum(known) if costs and len(known) == len(costs) else None)


def _error_of(node: Node) -> str | None:
    for entry in (node.end, *node.notes):
        if entry is not None and entry.data.get("error"):
            error = entry.data["error"]
            return error if isinstance(error, str) else "failed"
    return None


def error_step(rows: Sequence[StepRow]) -> StepRow | None:
    """The step a failed run's error came from: the last-started step that failed or that the
    failure left open (the call in flight when it struck; enclosing steps started earlier)."""
    failed = [r for r in rows if r.state == "failed"]
    return max(failed, key=lambda r: r.seq) if failed else None


def pending_review(entries: Sequence[Entry]) -> Entry | None:
    """The review entry a waiting run waits on: the last ``review`` still ``pending``."""
    reviews = [e for e in entries if e.kind == "review"]
    if reviews and reviews[-1].data.get("status") == "pending":
        return reviews[-1]
    return None


@dataclass(frozen=True)
class BatchFigures:
    """A batch's progress as shown."""

    total: int | None
    """Inputs in the batch, when known."""
    done: int
    """Completed runs."""
    failed: int
    """Failed runs."""
    active: int
    """Runs still running, waiting or ready."""
    per_minute: float | None
    """Completed runs per minute since the first began."""
    eta: float | None
    """Seconds until the rest are done at that rate."""


def batch_figures(progress: BatchProgress, now: float | None = None) -> BatchFigures:
    """Rate and ETA of a batch from its counts and times."""
    now = time.time() if now is None else now
    counts = progress.by_status
    active = sum(counts.get(s, 0) for s in ("running", "waiting", "ready"))
    finished = progress.done + progress.failed
    rate = None
    if progress.first_started is not None and finished:
        until = now if active or progress.last_ended is None else progress.last_ended
        elapsed = max(until - progress.first_started, 1e-6)
        rate = finished / elapsed * 60
    eta = None
    if rate and progress.total is not None:
        eta = max(progress.total - finished, 0) / rate * 60
    return BatchFigures(progress.total, progress.done, progress.failed, active, rate, eta)


def source_label(source: str | None) -> str | None:
    """Where a run's crew was loaded from, as a person reads it (the journal keeps JSON)."""
    if not source:
        return None
    try:
        found = json.loads(source)
    except ValueError:
        return source
    if not isinstance(found, dict):
        return source
    if found.get("file"):
        return str(found["file"])
    parts = [str(found[k]) for k in ("agents", "tasks") if found.get(k)]
    return " + ".join(parts) or None
