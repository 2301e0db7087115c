"""A journaled run read back as the events its stream had, with the same ``seq``: a reader that
saw a live stream up to some seq (then lost it: a closed page, a restarted server) goes on from
there, in this process or another, while the run goes on or after it ended.

Each step is journaled with the seq of the event it stands for (``event_seq`` in its data). The
pieces of replies (:class:`~crewkit.events.ModelTextDelta`) are not journaled: read back, a reply
arrives whole in its :class:`~crewkit.events.ModelCallCompleted`. Reviews and memory recalls have
no events and are skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any

from crewkit.errors import CrewkitError
from crewkit.events import (
    AgentFailed,
    AgentFinished,
    AgentStarted,
    CrewCompleted,
    CrewFailed,
    CrewStarted,
    Event,
    ModelCallCompleted,
    ModelCallStarted,
    TaskCompleted,
    TaskFailed,
    TaskStarted,
    ToolCallCompleted,
    ToolCallStarted,
)
from crewkit.journal._reader import JournalReader
from crewkit.journal._records import Entry, RunRecord
from crewkit.llm._cassette import decode_response
from crewkit.llm._types import Usage
from crewkit.task import CrewOutput, TaskOutput


def journaled_events(
    reader: JournalReader, run_id: str, *, after_seq: int = 0, follow: bool = True
) -> Iterator[Event]:
    """Run ``run_id``'s events after ``after_seq``; with ``follow``, also those written while it
    runs, until it stops."""
    record = reader.require(run_id)
    entries = reader.tail(run_id) if follow else iter(reader.entries(run_id))
    yield from _events(entries, lambda: reader.require(run_id), record, after_seq)


async def ajournaled_events(
    reader: JournalReader, run_id: str, *, after_seq: int = 0, follow: bool = True
) -> AsyncIterator[Event]:
    """:func:`journaled_events` without blocking the event loop."""
    import asyncio

    record = await asyncio.to_thread(reader.require, run_id)

    async def entries() -> AsyncIterator[Entry]:
        if follow:
            async for entry in reader.atail(run_id):
                yield entry
        else:
            for entry in await asyncio.to_thread(reader.entries, run_id):
                yield entry

    async for entry in entries():
        ended = None
        if entry.kind == "run_ended":
            ended = await asyncio.to_thread(reader.require, run_id)
        event = event_of(entry, record, (lambda r=ended: r) if ended is not None else None)
        if event is not None and event.seq > after_seq:
            yield event


def _events(
    entries: Iterable[Entry], latest: Any, record: RunRecord, after_seq: int
) -> Iterator[Event]:
    for entry in entries:
        event = event_of(entry, record, latest)
        if event is not None and event.seq > after_seq:
            yield event


def event_of(entry: Entry, record: RunRecord, latest: Any = None) -> Event | None:
    """The event ``entry`` stands for, or ``None`` (a step with no event, or journaled before
    steps carried their event's seq). ``latest()`` gives the run's record as it ended."""
    data = entry.data
    seq = data.get("event_seq")
    if entry.kind == "run_started":
        seq = 1  # written just before the run's first event
    if seq is None:
        return None
    ids: dict[str, Any] = {
        "run_id": entry.run_id,
        "span_id": entry.span or f"{entry.run_id}.1",
        "parent_id": entry.parent,
        "timestamp": entry.time,
        "seq": int(seq),
    }
    who: dict[str, Any] = {"agent_role": entry.agent or "", "task_name": entry.task or ""}
    kind = entry.kind
    if kind == "run_started":
        return CrewStarted(**ids, crew_name=record.crew, inputs=dict(record.inputs))
    if kind in ("task_started", "task_output", "task_failed"):
        index = data.get("index")
        task: dict[str, Any] = {**who, "task_index": -1 if index is None else int(index)}
        if kind == "task_started":
            return TaskStarted(**ids, **task)
        if kind == "task_failed":
            return TaskFailed(**ids, **task, error=CrewkitError(str(data.get("error"))))
        return TaskCompleted(**ids, **task, output=task_output(data["output"], record.inputs))
    if kind == "agent_started":
        return AgentStarted(**ids, **who)
    if kind == "agent_finished":
        return AgentFinished(**ids, **who, answer=data["answer"], forced=bool(data["forced"]))
    if kind == "agent_failed":
        return AgentFailed(**ids, **who, error=CrewkitError(str(data.get("error"))))
    if kind in ("model_started", "model"):
        label = str(data["model"])
        model: dict[str, Any] = {**who, "model": label}
        if kind == "model_started":
            return ModelCallStarted(**ids, **model, provider=label.partition("/")[0])
        usage = data.get("usage") or {}
        return ModelCallCompleted(
            **ids, **model, response=decode_response(data["response"]),
            usage=Usage(int(usage.get("prompt", 0)), int(usage.get("completion", 0))),
            duration=float(data.get("duration", 0.0)),
        )  # fmt: skip
    if kind in ("tool_started", "tool"):
        tool: dict[str, Any] = {"agent_role": who["agent_role"], "tool_name": str(data["tool"])}
        if kind == "tool_started":
            return ToolCallStarted(**ids, **tool, arguments=dict(data.get("args") or {}))
        return ToolCallCompleted(
            **ids, **tool, result=str(data["result"]), error=bool(data["error"]),
            duration=float(data.get("duration", 0.0)),
        )  # fmt: skip
    if kind == "run_ended":
        ended = latest() if latest is not None else record
        if data.get("status") == "completed" and ended.output is not None:
            return CrewCompleted(**ids, output=crew_output(ended.output, record.inputs, ended))
        reason = str(data.get("error") or data.get("status"))
        return CrewFailed(
            **ids, error=CrewkitError(f"the run ended {data.get('status')}: {reason}")
        )
    return None


def task_output(data: Mapping[str, Any], inputs: Mapping[str, Any]) -> TaskOutput:
    """A task's output from its journaled ``to_dict()`` (structured answers as dicts)."""
    return TaskOutput(
        raw=data["raw"],
        name=data["name"],
        description=data.get("description", ""),
        agent=data.get("agent", ""),
        expected_output=data.get("expected_output", ""),
        token_usage=_usage(data.get("token_usage")),
        forced=bool(data.get("forced", False)),
        json_dict=data.get("json_dict"),
        inputs=dict(inputs),
        plan=data.get("plan"),
    )


def crew_output(
    data: Mapping[str, Any], inputs: Mapping[str, Any], record: RunRecord
) -> CrewOutput:
    """A run's output from its journaled ``to_dict()``."""
    from crewkit.costs import calls_from_dicts

    return CrewOutput(
        raw=data["raw"],
        tasks_output=[task_output(t, inputs) for t in data["tasks_output"]],
        token_usage=_usage(data.get("token_usage")),
        usage_by_agent={k: _usage(v) for k, v in (data.get("usage_by_agent") or {}).items()},
        run_id=record.id,
        calls=calls_from_dicts(data.get("calls") or [], record.started),
    )


def _usage(data: Mapping[str, int] | None) -> Usage:
    data = data or {}
    return Usage(
        int(data.get("prompt_tokens", 0)),
        int(data.get("completion_tokens", 0)),
        int(data.get("requests", 0)),
    )
