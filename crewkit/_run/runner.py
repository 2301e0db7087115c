"""A kickoff from start to end: prepare, schedule by process, collect the output — journaled when
the crew is durable (the run's record, its steps, how it ended)."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from crewkit._crew_definition import CrewDefinition, Process
from crewkit._event_bus import EventBus
from crewkit._run.callbacks import crew_callback_listeners
from crewkit._run.durable import RunJournal
from crewkit._run.fingerprint import definition_of
from crewkit._run.history import Kickoff, history
from crewkit._run.prepare import ResolvedCrew, prepare
from crewkit._run.resources import start_knowledge, start_servers
from crewkit._run.scheduler import Executor, schedule
from crewkit._run.sequential import sequential_executor
from crewkit._run.state import Run
from crewkit.errors import ConfigurationError, CrewkitError, InputRejectedError, ReviewPending
from crewkit.events import CREW_SPAN, Listener, enclosing_step
from crewkit.journal import Journal
from crewkit.journal._definitions import fingerprint
from crewkit.journal._nesting import child_run_id
from crewkit.task import CrewOutput, TaskOutput

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class RunOptions:
    """How to start a run, beyond its inputs."""

    run_id: str | None = None
    """The run's id; a fresh one when ``None``."""
    source: str | None = None
    """The crew file, journaled so a viewer can reload the crew."""
    batch: tuple[str, int] | None = None
    """The batch id and this run's position in it."""
    no_input: bool = False
    """No person will answer a review (CLI ``--no-input``): a durable run waits instead."""
    parent_run: str | None = None
    """The run a replay started from."""
    listeners: tuple[Listener, ...] = ()
    """This run's listeners besides the crew's (a stream's reader)."""
    streaming: bool = False
    """Models stream their replies, which become events (``crew.stream()``, the live view)."""


def _listeners(crew: CrewDefinition) -> list[Listener]:
    listeners: list[Listener] = list(crew.listeners)
    if crew.verbose or any(a.verbose for a in crew.agents):
        from crewkit._console import progress, showing_progress

        if not showing_progress():  # a verbose flow around this crew already shows it
            listeners.append(progress(verbose=True))
    return listeners


def before_kickoff(crew: CrewDefinition, inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs after the crew's ``before_kickoff_callbacks``; a ``ValueError`` from one of them
    (an input it rejects) becomes an :class:`InputRejectedError`."""
    for hook in crew.before_kickoff_callbacks:
        try:
            changed = hook(inputs)
        except ValueError as exc:
            name = getattr(hook, "__qualname__", repr(hook))
            raise InputRejectedError(f"inputs rejected by {name}: {exc}") from None
        inputs = dict(changed) if changed is not None else inputs
    return inputs


def new_run(crew: CrewDefinition, inputs: dict[str, Any], options: RunOptions) -> Run:
    """The run state of one kickoff (or one resume) of ``crew``."""
    if "CREWKIT_OTEL" in os.environ:
        from crewkit.tracing._environment import instrument_from_environment

        instrument_from_environment()
    run = Run(
        bus=EventBus([*_listeners(crew), *options.listeners]),
        inputs=inputs,
        max_tokens=crew.max_tokens,
        ask_human=crew.ask_human,
        reviewer_absent=options.no_input or (crew.ask_human is None and not sys.stdin.isatty()),
        streaming=options.streaming,
    )
    run.bus.listeners[:0] = crew_callback_listeners(run, crew.step_callback, crew.task_callback)
    if options.run_id is not None:
        if not isinstance(options.run_id, str) or not _RUN_ID.fullmatch(options.run_id):
            raise ConfigurationError(
                f"run_id must be 1-64 letters, digits, '.', '_' or '-', got {options.run_id!r}"
            )
        run.run_id = options.run_id
    return run


def journal_for(run: Run, journal: Journal, resolved: ResolvedCrew, *, reuse: bool) -> RunJournal:
    """Attach ``journal`` to ``run``: its steps go there, and task boundaries with them."""
    labels = {t.label: t.index for t in resolved.tasks}
    run.journal = RunJournal(journal, run.run_id, task_indexes=labels, reuse=reuse)
    run.bus.essential.append(run.journal.on_event)
    return run.journal


async def run_crew(
    crew: CrewDefinition, inputs: Mapping[str, Any] | None, options: RunOptions | None = None
) -> CrewOutput:
    """Run ``crew`` once with ``inputs`` (over the crew's own). All checks that need no model
    happen before the first call."""
    options = options or RunOptions()
    inputs = before_kickoff(crew, {**crew.inputs, **(inputs or {})})
    journal = crew.journal
    if journal is not None and options.run_id is None and options.batch is None:
        child = child_run_id(crew.name, inputs)  # a kickoff inside a journaled flow step
        if child is not None:
            if journal.run(child) is not None:  # the step runs again on resume: so does the crew
                from crewkit._run.resuming import resume_run

                return await resume_run(crew, child)
            options = replace(options, run_id=child)
    resolved = prepare(crew, inputs, durable=journal is not None)
    run = new_run(crew, inputs, options)
    if journal is not None:
        definition = definition_of(crew, resolved)
        batch_id, batch_index = options.batch or (None, None)
        steps = journal_for(run, journal, resolved, reuse=options.parent_run is None)
        journal.begin_run(
            run.run_id, crew=crew.name, fingerprint=fingerprint(definition),
            definition=definition, inputs=inputs, tasks_total=len(resolved.tasks),
            source=options.source, batch_id=batch_id, batch_index=batch_index,
            parent_run=options.parent_run, secrets=steps.secrets,
        )  # fmt: skip
    return await execute(crew, resolved, run)


async def execute(
    crew: CrewDefinition,
    resolved: ResolvedCrew,
    run: Run,
    restored: Mapping[int, TaskOutput] | None = None,
) -> CrewOutput:
    """Run the tasks (those in ``restored`` are done already) and journal how the run ends."""
    if crew.memory is not None and not isinstance(crew.memory, bool):
        from crewkit.memory._session import RunMemory

        run.memory = RunMemory(crew.memory, run.run_id)
        run.bus.listeners.append(run.memory.on_event)
    await start_knowledge(run, crew)
    try:
        with run.span(
            CREW_SPAN, parent=enclosing_step(), crew_name=crew.name, inputs=run.inputs
        ) as span:
            waiting = False
            try:
                resolved = await start_servers(run, resolved)
                outputs = await _tasks(run, crew, resolved, span.id, restored or {})
            except ReviewPending:
                waiting = True
                raise
            finally:
                if run.memory is not None and not waiting:  # a waiting run keeps its short-term
                    await run.memory.finish()
                if run.servers is not None:
                    await run.servers.stop()
            output = CrewOutput(
                raw=outputs[-1].raw,
                tasks_output=outputs,
                token_usage=run.ledger.total,
                usage_by_agent=dict(run.ledger.by_agent),
                run_id=run.run_id,
                calls=list(run.ledger.calls),
            )
            span.end(output=output)
    except BaseException as exc:
        if run.journal is not None:
            _journal_ending(run.journal, exc, run.bus.last_seq)
        if isinstance(exc, CrewkitError):
            history.record(crew, Kickoff(run.inputs, tuple(exc.outputs), run.ledger.total))
        raise
    if run.journal is not None:
        run.journal.finish("completed", output=output.to_dict(), event_seq=run.bus.last_seq)
    history.record(crew, Kickoff(run.inputs, tuple(output.tasks_output), run.ledger.total))
    for after in crew.after_kickoff_callbacks:
        changed_output = after(output)
        output = changed_output if changed_output is not None else output
    return output


def _journal_ending(journal: RunJournal, exc: BaseException, event_seq: int) -> None:
    if isinstance(exc, ReviewPending):
        status = "waiting"
    elif isinstance(exc, (KeyboardInterrupt, asyncio.CancelledError)):
        status = "interrupted"
    else:
        status = "failed"
    text = str(exc) if isinstance(exc, CrewkitError) else f"{type(exc).__name__}: {exc}"
    journal.finish(
        status, error=text or type(exc).__name__, error_type=type(exc).__name__,
        event_seq=event_seq,
    )  # fmt: skip


async def _tasks(
    run: Run,
    crew: CrewDefinition,
    resolved: ResolvedCrew,
    span: str,
    restored: Mapping[int, TaskOutput],
) -> list[TaskOutput]:
    """Step plans if the crew plans, then every task by the crew's process."""
    if crew.planning:
        from crewkit._run.step_plans import with_step_plans

        resolved = await with_step_plans(run, resolved, parent=span)
    if crew.process is Process.sequential:
        execute = sequential_executor(run, resolved, span, max_delegations=crew.max_delegations)
    else:
        from crewkit._run.hierarchical import hierarchical_executor

        execute = hierarchical_executor(run, resolved, span, max_delegations=crew.max_delegations)
    if restored:
        execute = _restoring(execute, restored)
    return await schedule(resolved, execute)


def _restoring(execute: Executor, restored: Mapping[int, TaskOutput]) -> Executor:
    """Tasks done before a resume (or before the task a replay starts from) keep their output."""

    async def run_or_restore(task: Any, context: Any) -> TaskOutput:
        done = restored.get(task.index)
        return done if done is not None else await execute(task, context)

    return run_or_restore
