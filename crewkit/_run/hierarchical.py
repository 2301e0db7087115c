"""The hierarchical process: a manager runs every task, delegating to the crew and checking its
work. The manager goes through :func:`execute_task` like any agent, so every task feature (output
schemas, guardrails, files, callbacks, limits) applies to its final answer too."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from crewkit import prompts
from crewkit._run.delegation import delegation_tools
from crewkit._run.prepare import ResolvedCrew, RunAgent, RunTask
from crewkit._run.scheduler import Executor
from crewkit._run.state import Run
from crewkit._run.task_runner import execute_task
from crewkit.task import TaskOutput


def hierarchical_executor(
    run: Run, resolved: ResolvedCrew, parent: str, *, max_delegations: int
) -> Executor:
    """Execute every task with the manager, who delegates to the crew."""
    manager = resolved.manager
    assert manager is not None, "prepare() resolves a manager for hierarchical crews"
    roster: list[dict[str, object]] = [
        {"role": a.role, "goal": a.goal, "tools": [t.name for t in a.tools]}
        for a in resolved.agents
    ]

    async def execute(task: RunTask, context: Sequence[TaskOutput]) -> TaskOutput:
        team = roster
        if manager.llm.profile.small and task.agent is not None:  # the only coworker it gets
            team = [c for c in roster if c["role"] == task.agent.role] or roster
        briefed = managing(manager, team, task.agent)
        helpers = delegation_tools(
            briefed, resolved.agents, limit=max_delegations, preferred=task.agent
        )
        tools = [*helpers, *(manager.tools if task.tools is None else task.tools)]
        return await execute_task(run, task, briefed, context, tools=tools, parent=parent)

    return execute


def managing(
    manager: RunAgent, roster: list[dict[str, object]], preferred: RunAgent | None
) -> RunAgent:
    """The manager as it works on one task: its goal extended with the team and how to manage it."""
    goal = prompts.render(
        "manager_brief",
        goal=manager.goal,
        coworkers=roster,
        preferred=preferred.role if preferred is not None else None,
    )
    return dataclasses.replace(manager, goal=goal)
