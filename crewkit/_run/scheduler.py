"""Scheduling a run's tasks, independent of who executes them (an agent, or the manager).

The rule: walk the task list in order. An async task starts at once and waits only for the tasks in
its ``context`` (it receives exactly that context; none if it declares none). A sync task waits for
every earlier task, async ones included, then runs and receives its ``context`` (all earlier outputs
by default). So consecutive async tasks run concurrently, and each sync task is a meeting point.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from crewkit._run.prepare import ResolvedCrew, RunTask
from crewkit.errors import CrewkitError
from crewkit.task import TaskOutput

Executor = Callable[[RunTask, Sequence[TaskOutput]], Awaitable[TaskOutput]]
"""Runs one task given the outputs of its context; supplied by the process."""


def context_for(task: RunTask, done: Sequence[TaskOutput | None]) -> list[TaskOutput]:
    """Outputs a sync task receives: its declared context, or every earlier task's by default."""
    indexes = task.context if task.context is not None else range(task.index)
    return [out for i in indexes if (out := done[i]) is not None]


async def schedule(resolved: ResolvedCrew, execute: Executor) -> list[TaskOutput]:
    """Run every task by the rule above; on failure the error carries the completed outputs."""
    done: list[TaskOutput | None] = [None] * len(resolved.tasks)
    running: dict[int, asyncio.Task[TaskOutput]] = {}

    async def run_async(task: RunTask) -> TaskOutput:
        deps = task.context or ()
        await asyncio.gather(*(running[i] for i in deps if i in running))
        output = await execute(task, [out for i in deps if (out := done[i]) is not None])
        done[task.index] = output
        return output

    try:
        for task in resolved.tasks:
            if task.definition.async_execution:
                running[task.index] = asyncio.ensure_future(run_async(task))
                continue
            await _settle(running)
            done[task.index] = await execute(task, context_for(task, done))
        await _settle(running)
    except BaseException as exc:
        for pending in running.values():
            pending.cancel()
        if isinstance(exc, CrewkitError):
            exc.outputs = _completed(resolved, done, exc.outputs)
        raise
    return [out for out in done if out is not None]


def _completed(
    resolved: ResolvedCrew, done: Sequence[TaskOutput | None], carried: Sequence[TaskOutput]
) -> list[TaskOutput]:
    """Every completed output in task order: the scheduler's, and any the error already carries
    (a task that finished its work but could not write its file)."""
    found = [out for out in done if out is not None]
    found += [out for out in carried if all(out is not other for other in found)]
    order = {task.label: task.index for task in resolved.tasks}
    return sorted(found, key=lambda out: order.get(out.name, len(order)))


async def _settle(running: dict[int, asyncio.Task[TaskOutput]]) -> None:
    """Wait for every started async task; if any failed, raise the earliest task's error.
    Tasks that do not depend on a failed one still finish, so their outputs are kept."""
    if not running:
        return
    await asyncio.wait(running.values())
    for index in sorted(running):
        error = running[index].exception()
        if error is not None:
            raise error
