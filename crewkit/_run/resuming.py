"""Continuing journaled runs: resume one (after a crash, a failure or a review), replay one from a
task, and run a batch so that running it again finishes only what is left."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from crewkit._crew_definition import CrewDefinition
from crewkit._inputs import interpolate
from crewkit._run.fingerprint import definition_of
from crewkit._run.history import last_kickoff
from crewkit._run.prepare import ResolvedCrew, check_inputs, prepare
from crewkit._run.runner import RunOptions, execute, journal_for, new_run, run_crew
from crewkit._run.state import Run
from crewkit.costs import calls_from_dicts
from crewkit.errors import ConfigurationError, DefinitionChangedError, JournalError
from crewkit.journal import Entry, Journal, RunRecord
from crewkit.journal._definitions import changes, fingerprint
from crewkit.llm._types import Usage
from crewkit.task import CrewOutput, TaskOutput


def _journal(crew: CrewDefinition, action: str) -> Journal:
    if crew.journal is None:
        raise ConfigurationError(
            f"{action} needs a durable crew: Crew(durable=True) or Crew(durable='runs.db')"
        )
    return crew.journal


async def resume_run(
    crew: CrewDefinition,
    run_id: str,
    *,
    feedback: str | None = None,
    approve: bool = False,
    force: bool = False,
    no_input: bool = False,
) -> CrewOutput:
    """Continue run ``run_id``: journaled model and tool results are used again, the rest runs
    live. A completed run returns its output without running anything."""
    journal = _journal(crew, "resume")
    record = await asyncio.to_thread(journal.require, run_id)
    if record.status == "completed" and record.output is not None:
        return output_from_dict(crew, record.output, dict(record.inputs), run_id)
    inputs = dict(record.inputs)
    resolved = prepare(crew, inputs, durable=True)
    definition = definition_of(crew, resolved)
    if fingerprint(definition) != record.fingerprint and not force:
        raise DefinitionChangedError(run_id, changes(dict(record.definition), definition))
    if feedback is not None or approve:
        if record.status not in ("waiting", "ready"):
            raise JournalError(
                f"run {run_id!r} is {record.shown_status}, not waiting for a review; "
                "resume it without feedback or approval"
            )
        await asyncio.to_thread(journal.decide_review, run_id, feedback=feedback, approve=approve)
    await asyncio.to_thread(journal.claim, run_id)
    entries = await asyncio.to_thread(journal.entries, run_id)
    run = new_run(crew, inputs, RunOptions(run_id=run_id, no_input=no_input))
    run.continue_spans_after(_last_span(entries))
    run.bus.last_seq = max((int(e.data.get("event_seq", 0)) for e in entries), default=0)
    journal_for(run, journal, resolved, reuse=True).index(entries)
    restored = {} if force else restored_tasks(crew, resolved, run, entries)
    return await execute(crew, resolved, run, restored)


async def replay_run(
    crew: CrewDefinition,
    task: str | int,
    run_id: str | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> CrewOutput:
    """A new run that takes the outputs of the tasks before ``task`` from run ``run_id`` (the
    crew's latest run when ``None``) and runs ``task`` and the ones after it live. A crew that is
    not durable replays its last kickoff in this process (``crewkit._run.history``)."""
    if crew.journal is None and run_id is None:
        return await _replay_last_kickoff(crew, task, inputs)
    journal = _journal(crew, "replay")
    if run_id is None:
        latest = await asyncio.to_thread(journal.runs, crew=crew.name, limit=1)
        if not latest:
            raise JournalError(f"the journal {journal.path} has no run of crew {crew.name!r}")
        run_id = latest[0].id
    record = await asyncio.to_thread(journal.require, run_id)
    inputs = dict(record.inputs) if inputs is None else {**crew.inputs, **inputs}
    resolved = prepare(crew, inputs, durable=True)
    start = _task_index(resolved, task)
    entries = await asyncio.to_thread(journal.entries, run_id, kinds=["task_output", "model"])
    run = new_run(crew, inputs, RunOptions())
    earlier = restored_tasks(crew, resolved, run, entries, before=start)
    missing = [t.label for t in resolved.tasks[:start] if t.index not in earlier]
    if missing:
        raise JournalError(
            f"run {run_id!r} has no output for task {missing[0]!r}; replay from it or earlier"
        )
    definition = definition_of(crew, resolved)
    await asyncio.to_thread(
        journal.begin_run, run.run_id, crew=crew.name, fingerprint=fingerprint(definition),
        definition=definition, inputs=inputs, tasks_total=len(resolved.tasks), parent_run=run_id,
    )  # fmt: skip
    journal_for(run, journal, resolved, reuse=False)
    return await execute(crew, resolved, run, earlier)


async def _replay_last_kickoff(
    crew: CrewDefinition, task: str | int, inputs: Mapping[str, Any] | None
) -> CrewOutput:
    last = last_kickoff(crew)
    if last is None:
        raise ConfigurationError(
            f"crew {crew.name!r} has no kickoff to replay in this process; kick it off first "
            "(or make it durable, Crew(durable=True), to replay runs of other processes)"
        )
    chosen = dict(last.inputs) if inputs is None else {**crew.inputs, **inputs}
    resolved = prepare(crew, chosen)
    start = _task_index(resolved, task)
    kept = {output.name: output for output in last.outputs}
    missing = [t.label for t in resolved.tasks[:start] if t.label not in kept]
    if missing:
        raise ConfigurationError(
            f"the last kickoff has no output for task {missing[0]!r}; replay from it or earlier"
        )
    earlier = {t.index: kept[t.label] for t in resolved.tasks[:start]}
    return await execute(crew, resolved, new_run(crew, chosen, RunOptions()), earlier)


async def run_crew_for_each(
    crew: CrewDefinition,
    inputs: Sequence[Mapping[str, Any]],
    *,
    concurrency: int,
    batch_id: str | None = None,
) -> list[CrewOutput]:
    """One run per inputs dict, at most ``concurrency`` at a time; every dict is checked before
    the first run starts, so a missing input costs no model call. A durable crew journals the
    runs as one batch: running the same ``batch_id`` again returns the finished runs' outputs,
    resumes the unfinished ones and starts the missing ones."""
    merged = [{**crew.inputs, **each} for each in inputs]
    if not crew.before_kickoff_callbacks:  # those may supply inputs: each run checks after them
        for each in merged:
            check_inputs(crew, each)
    journal = crew.journal
    if journal is None and batch_id is not None:
        raise ConfigurationError("batch_id needs a durable crew: Crew(durable=True)")
    if journal is not None:
        batch_id = batch_id or uuid.uuid4().hex[:12]
        first = prepare(crew, merged[0], durable=True) if merged else None
        batch_print = "" if first is None else fingerprint(definition_of(crew, first))
        await asyncio.to_thread(
            journal.begin_batch,
            batch_id,
            crew=crew.name,
            fingerprint=batch_print,
            total=len(merged),
        )
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, each: dict[str, Any]) -> CrewOutput:
        async with gate:
            if journal is None or batch_id is None:
                return await run_crew(crew, each)
            return await run_in_batch(crew, each, batch_id=batch_id, index=index)

    return list(await asyncio.gather(*(one(i, each) for i, each in enumerate(merged))))


async def run_in_batch(
    crew: CrewDefinition,
    inputs: dict[str, Any],
    *,
    batch_id: str,
    index: int,
    run_id: str | None = None,
) -> CrewOutput:
    """Run ``inputs`` as run ``index`` of a journaled batch, or continue that run if the journal
    has it: a completed run returns its output, an unfinished one resumes from its journal.
    ``run_id`` (default ``{batch_id}-{index}``) may carry a digest of the inputs, which then
    need no check."""
    journal = _journal(crew, "a journaled batch")
    given = run_id
    run_id = run_id or f"{batch_id}-{index}"
    record: RunRecord | None = await asyncio.to_thread(journal.run, run_id)
    if record is None:
        return await run_crew(crew, inputs, RunOptions(run_id=run_id, batch=(batch_id, index)))
    if given is None and dict(record.inputs) != inputs:
        raise JournalError(
            f"batch {batch_id!r} run {index} was started with other inputs "
            f"({dict(record.inputs)!r}); use a new batch_id for new inputs"
        )
    return await resume_run(crew, run_id)


def restored_tasks(
    crew: CrewDefinition,
    resolved: ResolvedCrew,
    run: Run,
    entries: Sequence[Entry],
    *,
    before: int | None = None,
) -> dict[int, TaskOutput]:
    """The outputs a run journaled (of the tasks before ``before``, when given), rebuilt, with
    their usage added to ``run``'s ledger as the first process counted it."""
    outputs: dict[int, TaskOutput] = {}
    for entry in entries:
        if entry.kind != "task_output":
            continue
        index = entry.data.get("index")
        if not isinstance(index, int) or index >= len(resolved.tasks):
            continue
        if before is not None and index >= before:
            continue
        outputs[index] = task_output_from_dict(crew, index, entry.data["output"], run.inputs)
    labels = {resolved.tasks[i].label for i in outputs}
    for entry in entries:
        if entry.kind == "model" and entry.task in labels:
            usage = entry.data["usage"]
            served = (entry.data.get("response") or {}).get("model") or ""
            run.ledger.record(
                entry.agent or "", entry.task or "", Usage(usage["prompt"], usage["completion"]),
                label=str(entry.data.get("model") or ""), model=str(served), when=entry.time,
            )  # fmt: skip
    return outputs


def task_output_from_dict(
    crew: CrewDefinition, index: int, data: Mapping[str, Any], inputs: dict[str, Any]
) -> TaskOutput:
    """A :class:`TaskOutput` from its journaled ``to_dict()``, structured output validated again."""
    definition = crew.tasks[index] if index < len(crew.tasks) else None
    json_dict = data.get("json_dict")
    pydantic = None
    if definition is not None and definition.output_pydantic is not None and json_dict is not None:
        pydantic = definition.output_pydantic.model_validate(json_dict)
    usage = data.get("token_usage") or {}
    return TaskOutput(
        raw=data["raw"],
        name=data["name"],
        description=data["description"],
        agent=data["agent"],
        expected_output=data.get("expected_output")
        or ("" if definition is None else interpolate(definition.expected_output, inputs)),
        token_usage=Usage(
            usage.get("prompt_tokens", 0),
            usage.get("completion_tokens", 0),
            usage.get("requests", 0),
        ),
        forced=bool(data.get("forced")),
        pydantic=pydantic,
        json_dict=json_dict,
        inputs=inputs,
        plan=data.get("plan"),
    )


def output_from_dict(
    crew: CrewDefinition, data: Mapping[str, Any], inputs: dict[str, Any], run_id: str
) -> CrewOutput:
    """A :class:`CrewOutput` from its journaled ``to_dict()``."""
    tasks = [task_output_from_dict(crew, i, t, inputs) for i, t in enumerate(data["tasks_output"])]

    def usage(d: Mapping[str, int]) -> Usage:
        return Usage(d["prompt_tokens"], d["completion_tokens"], d["requests"])

    return CrewOutput(
        raw=data["raw"],
        tasks_output=tasks,
        token_usage=usage(data["token_usage"]),
        usage_by_agent={k: usage(v) for k, v in data["usage_by_agent"].items()},
        run_id=run_id,
        calls=calls_from_dicts(data.get("calls") or [], 0.0),
    )


def _task_index(resolved: ResolvedCrew, task: str | int) -> int:
    for t in resolved.tasks:
        if task in (t.label, t.definition.name) or (isinstance(task, int) and task == t.index):
            return t.index
    if isinstance(task, str) and task.isdigit() and 1 <= int(task) <= len(resolved.tasks):
        return int(task) - 1
    names = ", ".join(repr(t.label) for t in resolved.tasks)
    raise ConfigurationError(f"no task {task!r} in crew; tasks: {names} (or a 1-based number)")


def _last_span(entries: Sequence[Entry]) -> int:
    last = 0
    for entry in entries:
        tail = (entry.span or "").rpartition(".")[2]
        if tail.isdigit():
            last = max(last, int(tail))
    return last
