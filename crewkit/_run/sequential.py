"""The sequential process: each task is done by its own agent."""

from __future__ import annotations

from collections.abc import Sequence

from crewkit._run.prepare import ResolvedCrew, RunTask
from crewkit._run.scheduler import Executor
from crewkit._run.state import Run
from crewkit._run.task_runner import execute_task
from crewkit.task import TaskOutput


def sequential_executor(
    run: Run, resolved: ResolvedCrew, parent: str, *, max_delegations: int
) -> Executor:
    """Execute each task with the agent it names, using the task's tools if it has any, else the
    agent's; an agent with ``allow_delegation`` also gets the delegation tools over the others."""

    async def execute(task: RunTask, context: Sequence[TaskOutput]) -> TaskOutput:
        agent = task.agent
        assert agent is not None, "Crew validation guarantees an agent in sequential crews"
        tools = None if task.tools is None else list(task.tools)
        if agent.definition.allow_delegation and len(resolved.agents) > 1:
            from crewkit._run.delegation import delegation_tools

            helpers = delegation_tools(agent, resolved.agents, limit=max_delegations)
            tools = [*(agent.tools if tools is None else tools), *helpers]
        return await execute_task(run, task, agent, context, tools=tools, parent=parent)

    return execute
