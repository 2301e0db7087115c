"""A kickoff from start to end: prepare, schedule by process, collect the output."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from typing import Any

from crewkit._crew_definition import CrewDefinition, Process
from crewkit._run.prepare import ResolvedCrew, check_inputs, prepare
from crewkit._run.resources import start_knowledge, start_servers
from crewkit._run.scheduler import schedule
from crewkit._run.sequential import sequential_executor
from crewkit._run.state import Run
from crewkit.events import (
    CREW_SPAN,
    AgentFinished,
    EventBus,
    Listener,
    TaskCompleted,
    ToolCallCompleted,
    ToolCallFailed,
    enclosing_step,
)
from crewkit.task import CrewOutput, TaskOutput

_STEP_EVENTS = (ToolCallCompleted, ToolCallFailed, AgentFinished)


def _listeners(crew: CrewDefinition) -> list[Listener]:
    listeners: list[Listener] = list(crew.listeners)
    step, task_done = crew.step_callback, crew.task_callback
    if step is not None:
        listeners.append(lambda e: step(e) if isinstance(e, _STEP_EVENTS) else None)
    if task_done is not None:
        listeners.append(lambda e: task_done(e.output) if isinstance(e, TaskCompleted) else None)
    if crew.verbose or any(a.verbose for a in crew.agents):
        from crewkit._console import progress, showing_progress

        if not showing_progress():  # a verbose flow around this crew already shows it
            listeners.append(progress(verbose=True))
    return listeners


async def run_crew(
    crew: CrewDefinition,
    inputs: Mapping[str, Any] | None,
    *,
    listeners: Sequence[Listener] = (),
    streaming: bool = False,
) -> CrewOutput:
    """Run ``crew`` once with ``inputs`` (over the crew's own); ``listeners`` receive this run's
    events besides the crew's, and ``streaming`` has models stream their replies as events. All
    checks that need no model happen before the first call."""
    inputs = {**crew.inputs, **(inputs or {})}
    resolved = prepare(crew, inputs)
    if "CREWKIT_OTEL" in os.environ:
        from crewkit.tracing._environment import instrument_from_environment

        instrument_from_environment()
    run = Run(
        bus=EventBus([*_listeners(crew), *listeners]),
        inputs=inputs,
        max_tokens=crew.max_tokens,
        ask_human=crew.ask_human,
        streaming=streaming,
    )
    if crew.memory is not None and not isinstance(crew.memory, bool):
        from crewkit.memory._session import RunMemory

        run.memory = RunMemory(crew.memory, run.run_id)
        run.bus.listeners.append(run.memory.on_event)
    await start_knowledge(run, crew)
    with run.span(CREW_SPAN, parent=enclosing_step(), crew_name=crew.name, inputs=inputs) as span:
        try:
            resolved = await start_servers(run, resolved)
            outputs = await _tasks(run, crew, resolved, span.id)
        finally:
            if run.memory is not None:
                await run.memory.finish()
            if run.servers is not None:
                await run.servers.stop()
        output = CrewOutput(
            raw=outputs[-1].raw,
            tasks_output=outputs,
            token_usage=run.ledger.total,
            usage_by_agent=dict(run.ledger.by_agent),
            calls=list(run.ledger.calls),
        )
        span.end(output=output)
    return output


async def run_crew_for_each(
    crew: CrewDefinition, inputs: Sequence[Mapping[str, Any]], *, concurrency: int
) -> list[CrewOutput]:
    """One run per inputs dict, at most ``concurrency`` at a time; every dict is checked before
    the first run starts, so a missing input costs no model call."""
    for each in inputs:
        check_inputs(crew, {**crew.inputs, **each})
    gate = asyncio.Semaphore(concurrency)

    async def one(each: Mapping[str, Any]) -> CrewOutput:
        async with gate:
            return await run_crew(crew, each)

    return list(await asyncio.gather(*(one(each) for each in inputs)))


async def _tasks(
    run: Run, crew: CrewDefinition, resolved: ResolvedCrew, span: str
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
    return await schedule(resolved, execute)
