"""``crewkit runs``: the journaled runs, newest first; ``runs show ID``: one run as a tree of its
steps; ``runs export ID``: its events or spans as JSON; ``runs rm ID``: forget a run."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from crewkit._cli._common import OK, UsageError, write_out
from crewkit._cli._durable import journal_of

if TYPE_CHECKING:
    from crewkit.journal import BatchProgress, Node, RunRecord, RunTree

_HEADERS = ("id", "kind", "name", "started", "status", "done", "tokens", "cost", "batch")
_NUMBERS, _LAST_NUMBER = 5, 7
"""The columns from the first to the last of these (done, tokens, cost) are right-aligned."""


def run_runs(args: argparse.Namespace) -> int:
    """List, show or remove runs."""
    if args.action is None:
        if args.run_id is not None:
            raise UsageError(
                f"unknown runs action {args.run_id!r}: use `runs show ID` or `runs rm ID`"
            )
        journal = journal_of(args, readonly=True)
        records = journal.runs(
            crew=args.crew, status=args.status, batch_id=args.batch, limit=args.limit
        )
        if args.batch is not None:
            print_batch(journal.batch_progress(args.batch), sys.stdout)
        print_runs(records, sys.stdout)
        return OK
    if args.run_id is None:
        raise UsageError(f"crewkit runs {args.action} needs a run id (see `crewkit runs`)")
    if args.action == "show":
        tree = journal_of(args, readonly=True).tree(args.run_id)
        print_tree(tree, sys.stdout)
        return OK
    if args.action == "export":
        return _export(args)
    if not journal_of(args).delete(args.run_id):
        raise UsageError(f"no run {args.run_id!r} in the journal")
    sys.stderr.write(f"removed run {args.run_id}\n")
    return OK


def _export(args: argparse.Namespace) -> int:
    """A run's events as JSON lines, or its spans as OTLP/JSON (see ``crewkit.tracing``)."""
    import json

    from crewkit._event_json import event_to_dict
    from crewkit.journal._events import journaled_events

    journal = journal_of(args, readonly=True)
    events = journaled_events(journal, args.run_id, follow=False)
    if args.format == "jsonl":
        lines = [json.dumps(event_to_dict(e), ensure_ascii=False, default=str) for e in events]
        text = "".join(line + "\n" for line in lines)
    else:
        from crewkit.tracing._otlp_json import otlp_json

        text = json.dumps(otlp_json(events, include_content=args.include_content), indent=1) + "\n"
    return write_out(text, args.output)


def print_runs(records: Sequence[RunRecord], out: IO[str]) -> None:
    """An aligned table of runs."""
    if not records:
        out.write("no runs journaled yet\n")
        return
    rows = [_HEADERS] + [
        (
            r.id,
            r.kind,
            r.crew,
            _when(r.started),
            r.shown_status,
            f"{r.tasks_done}/{r.tasks_total}",
            f"{r.usage.total_tokens:,}",
            "-" if r.kind == "flow" and not r.usage.requests else _cost(r.cost),
            "" if r.batch_id is None else f"{r.batch_id} row {(r.batch_index or 0) + 1}",
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS))]
    for row in rows:
        cells = [
            c.rjust(w) if _NUMBERS <= i <= _LAST_NUMBER else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.write("  ".join(cells).rstrip() + "\n")


def print_batch(progress: BatchProgress, out: IO[str]) -> None:
    """One line on a batch: its runs by status, of how many rows, and their tokens."""
    if not progress.by_status:
        raise UsageError(f"no runs of batch {progress.batch_id!r} in the journal")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(progress.by_status.items()))
    rows = "" if progress.total is None else f" of {progress.total} rows"
    out.write(
        f"batch {progress.batch_id}: {sum(progress.by_status.values())} runs{rows} ({counts}), "
        f"{progress.usage.total_tokens:,} tokens\n"
    )


def print_tree(tree: RunTree, out: IO[str]) -> None:
    """The run's header, then its steps as an indented tree with durations and tokens."""
    run = tree.run
    ended = run.ended if run.ended is not None else run.updated
    done = "steps" if run.kind == "flow" else "tasks"
    out.write(
        f"run {run.id}  {run.kind} {run.crew}  {run.shown_status}  started {_when(run.started)}  "
        f"{ended - run.started:.1f} s  {run.usage.total_tokens:,} tokens in "
        f"{run.usage.requests} calls  {done} {run.tasks_done}/{run.tasks_total}\n"
    )
    out.write(f"inputs: {json.dumps(dict(run.inputs), ensure_ascii=False)}\n")
    if run.parent_run:
        out.write(f"replayed from run {run.parent_run}\n")
    _nodes(tree.children, "", out)
    if run.error:
        out.write(f"{'waiting: ' if run.status == 'waiting' else 'error: '}{run.error}\n")


def _nodes(nodes: Sequence[Node], indent: str, out: IO[str]) -> None:
    for i, node in enumerate(nodes):
        last = i == len(nodes) - 1
        out.write(f"{indent}{'└─ ' if last else '├─ '}{_line(node)}\n")
        _nodes(node.children, indent + ("   " if last else "│  "), out)


def _line(node: Node) -> str:
    start, end = node.start, node.end
    took = "running" if end is None else _seconds(node.duration or 0.0)
    if node.kind == "task":
        return f"task {start.task} ({start.agent})  {took}"
    if node.kind == "agent":
        return f"agent {start.agent}  {took}"
    if node.kind == "model":
        tokens = ""
        if end is not None:
            usage = end.data.get("usage", {})
            tokens = f"  {usage.get('prompt', 0)}+{usage.get('completion', 0)} tokens"
        return f"model {start.data.get('model', '')}  {took}{tokens}"
    if node.kind == "tool":
        data = end.data if end is not None else start.data
        result = "" if end is None else f"  → {_short(str(data.get('result', '')))}"
        failed = "  (error)" if end is not None and data.get("error") else ""
        return f"tool {data.get('tool', '')}({_short(json.dumps(data.get('args', {})))})  {took}{result}{failed}"
    if node.kind == "flow_kickoff":
        inputs = json.dumps(start.data.get("inputs", {}), ensure_ascii=False)
        return f"kickoff {start.data.get('kickoff', '')}  inputs {_short(inputs)}"
    if node.kind == "flow_step":
        return _flow_step(start.data)
    if node.kind == "review":
        return (
            f"review {start.data.get('status', '')} {_short(str(start.data.get('feedback', '')))}"
        )
    return f"{node.kind} {_short(json.dumps(dict(start.data), ensure_ascii=False))}"


def _flow_step(data: Mapping[str, Any]) -> str:
    result: Mapping[str, Any] = data.get("result") or {}
    shown = result.get("unsaved") or json.dumps(result.get("value"), ensure_ascii=False)
    if data.get("label"):
        shown = f"label {data['label']!r}"
    return f"step {data.get('step', '')} #{data.get('n', '')}  → {_short(str(shown))}"


def _cost(cost: float | None) -> str:
    return "unknown" if cost is None else f"${cost:.4f}"


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
