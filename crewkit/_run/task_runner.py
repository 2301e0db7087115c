"""Running one task: its prompt with context, the agent loop, and the resulting TaskOutput."""

from __future__ import annotations

from collections.abc import Sequence

from crewkit import prompts
from crewkit._run.agent_loop import run_agent
from crewkit._run.plan import RunAgent, RunTask
from crewkit._run.state import Run
from crewkit.events import TaskCompleted, TaskStarted
from crewkit.llm._types import Usage
from crewkit.task import TaskOutput
from crewkit.tools._tool import Tool


def task_prompt(task: RunTask, context: Sequence[TaskOutput]) -> str:
    """The user message that sets the agent to work on ``task``."""
    return prompts.render(
        "task",
        description=task.description,
        expected_output=task.expected_output,
        context=[{"label": c.name, "text": c.raw} for c in context],
        plan=task.step_plan,
    )


async def execute_task(
    run: Run,
    task: RunTask,
    agent: RunAgent,
    context: Sequence[TaskOutput],
    *,
    tools: Sequence[Tool] | None = None,
    parent: str,
) -> TaskOutput:
    """Run ``task`` with ``agent`` and return its output; usage is read from the run's ledger."""
    span = run.new_span()
    run.bus.emit(
        TaskStarted(
            run_id=run.run_id,
            span_id=span,
            parent_id=parent,
            task_name=task.label,
            agent_role=agent.role,
        )
    )
    result = await run_agent(
        run,
        agent,
        task=task.label,
        prompt=task_prompt(task, context),
        tools=agent.tools if tools is None else tools,
        parent=span,
    )
    output = TaskOutput(
        raw=result.text,
        name=task.label,
        description=task.description,
        agent=agent.role,
        expected_output=task.expected_output,
        token_usage=run.ledger.by_task.get(task.label, Usage()),
        forced=result.forced,
        plan=task.step_plan,
    )
    run.bus.emit(TaskCompleted(run_id=run.run_id, span_id=span, parent_id=parent, output=output))
    return output
