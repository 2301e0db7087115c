"""Scheduling a run's tasks, independent of who executes them (an agent, or the manager)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from crewkit._run.plan import Plan, RunTask
from crewkit.task import TaskOutput

Executor = Callable[[RunTask, Sequence[TaskOutput]], Awaitable[TaskOutput]]
"""Runs one task given the outputs of its context; supplied by the process."""


def context_for(task: RunTask, done: Sequence[TaskOutput | None]) -> list[TaskOutput]:
    """Outputs this task receives: its declared context, or every earlier task's by default."""
    indexes = task.context if task.context is not None else range(task.index)
    return [out for i in indexes if (out := done[i]) is not None]


async def schedule(plan: Plan, execute: Executor) -> list[TaskOutput]:
    """Run every task in order; each sees the outputs its context asks for."""
    done: list[TaskOutput | None] = [None] * len(plan.tasks)
    for task in plan.tasks:
        done[task.index] = await execute(task, context_for(task, done))
    return [out for out in done if out is not None]
