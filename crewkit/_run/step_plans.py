"""Planning (``Crew(planning=True)``): before the tasks run, one model call writes a short step plan
for every task, which is added to that task's prompt and kept in its output.

One call for all tasks, not one per task: the planner sees how the tasks feed each other, the crew
pays one round trip, and the reply is one JSON object with a key per task (a response schema where
the model supports it). A reply that cannot be read is answered once with the problem; tasks still
without a plan after that run without one (logged), since a plan helps but is not the work.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from crewkit import prompts
from crewkit._json import loads
from crewkit._run.gateway import call_model
from crewkit._run.prepare import ResolvedCrew
from crewkit._run.state import Run, Scope
from crewkit.events import AGENT_SPAN
from crewkit.llm._base import LLM
from crewkit.llm._types import Message, ModelRequest, ResponseSchema

PLANNER_ROLE = "Crew Planner"
"""The planner's name in usage and events."""
PLANNING_TASK = "(planning)"
"""The label planning usage and events are recorded under."""
MAX_ATTEMPTS = 2
MAX_STEPS = 8

log = logging.getLogger("crewkit")


def plan_schema(keys: list[str]) -> dict[str, Any]:
    """One list of steps per task key."""
    steps = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "properties": {key: steps for key in keys},
        "required": keys,
        "additionalProperties": False,
    }


async def with_step_plans(run: Run, resolved: ResolvedCrew, *, parent: str) -> ResolvedCrew:
    """``resolved`` with each task's ``step_plan`` filled in by the planner model."""
    llm = resolved.planner_llm
    assert llm is not None, "prepare() resolves the planner's model when the crew plans"
    keys = [f"task_{t.index + 1}" for t in resolved.tasks]
    tasks = [
        {
            "key": key,
            "description": t.description,
            "expected_output": t.expected_output,
            "agent": t.agent.role if t.agent is not None else None,
        }
        for key, t in zip(keys, resolved.tasks, strict=True)
    ]
    team = [
        {"role": a.role, "goal": a.goal, "tools": [t.name for t in a.tools]}
        for a in resolved.agents
    ]
    messages = [
        Message(
            "user",
            prompts.render(
                "planning", tasks=tasks, team=team, manager=resolved.manager is not None, keys=keys
            ),
        )
    ]
    with run.span(
        AGENT_SPAN, parent=parent, agent_role=PLANNER_ROLE, task_name=PLANNING_TASK
    ) as span:
        plans = await _ask_planner(
            run, llm, messages, keys, Scope(PLANNING_TASK, PLANNER_ROLE, span.id)
        )
        span.end(answer="\n\n".join(f"{k}:\n{v}" for k, v in plans.items()), forced=False)
    planned = tuple(
        dataclasses.replace(t, step_plan=plans.get(key))
        for key, t in zip(keys, resolved.tasks, strict=True)
    )
    return dataclasses.replace(resolved, tasks=planned)


async def _ask_planner(
    run: Run, llm: LLM, messages: list[Message], keys: list[str], scope: Scope
) -> dict[str, str]:
    """The plans the planner gives, with one correction when its reply cannot be read."""
    schema = ResponseSchema("task_plans", plan_schema(keys)) if llm.profile.json_schema else None
    plans: dict[str, str] = {}
    for _ in range(MAX_ATTEMPTS):
        request = ModelRequest(
            messages=tuple(messages),
            response_schema=schema,
            metadata={"agent": PLANNER_ROLE, "task": PLANNING_TASK},
        )
        response = await call_model(run, llm, request, scope)
        found, problem = read_plans(response.text, keys)
        plans.update(found)
        if problem is None:
            return plans
        messages.append(Message("assistant", response.text))
        messages.append(Message("user", prompts.render("planning_retry", problem=problem)))
    missing = [k for k in keys if k not in plans]
    log.warning("planner gave no usable plan for %s; those tasks run without one", missing)
    return plans


def read_plans(text: str, keys: list[str]) -> tuple[dict[str, str], str | None]:
    """The plans found in a reply, and what is wrong with it (``None`` when every task has one)."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        return {}, "the reply has no JSON object"
    try:
        data = loads(text[start : end + 1])
    except ValueError as exc:
        return {}, f"the JSON is invalid ({exc})"
    if not isinstance(data, dict):
        return {}, "the reply is not a JSON object"
    plans: dict[str, str] = {}
    for key in keys:
        steps = data.get(key)
        if isinstance(steps, str):
            steps = [line for line in steps.splitlines() if line.strip()]
        if isinstance(steps, list):
            lines = [" ".join(str(s).split()) for s in steps if str(s).strip()][:MAX_STEPS]
            if lines:
                plans[key] = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    missing = [k for k in keys if k not in plans]
    return plans, (f"no steps for {', '.join(missing)}" if missing else None)
