"""The sequential process: tasks in order, each by its own agent."""

from __future__ import annotations

from crewkit._run.plan import Plan
from crewkit._run.state import Run
from crewkit._run.task_runner import context_for, execute_task
from crewkit.task import TaskOutput


async def run_sequential(run: Run, plan: Plan, parent: str) -> list[TaskOutput]:
    """Run every task in order; each sees the outputs its context asks for."""
    done: list[TaskOutput | None] = [None] * len(plan.tasks)
    for task in plan.tasks:
        assert task.agent is not None, "Crew validation guarantees an agent in sequential crews"
        done[task.index] = await execute_task(
            run, task, task.agent, context_for(task, done), parent=parent
        )
    return [out for out in done if out is not None]
