"""The sequential process: each task is done by its own agent."""

from __future__ import annotations

from collections.abc import Sequence

from crewkit._run.plan import Plan, RunTask
from crewkit._run.scheduler import Executor
from crewkit._run.state import Run
from crewkit._run.task_runner import execute_task
from crewkit.task import TaskOutput


def sequential_executor(run: Run, plan: Plan, parent: str) -> Executor:
    """Execute each task with the agent it names."""

    async def execute(task: RunTask, context: Sequence[TaskOutput]) -> TaskOutput:
        assert task.agent is not None, "Crew validation guarantees an agent in sequential crews"
        return await execute_task(run, task, task.agent, context, parent=parent)

    return execute
