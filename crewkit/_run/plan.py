"""Turn a crew definition plus inputs into what one run works on, checking everything a run needs
before any model is called: every placeholder has a value and every agent has a model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crewkit._inputs import interpolate, placeholders
from crewkit.agent import Agent
from crewkit.crew import DEFAULT_MANAGER_ROLE, Crew, Process
from crewkit.errors import MissingInputError
from crewkit.llm._base import LLM
from crewkit.llm._registry import default_llm_spec, resolve_llm
from crewkit.task import Task
from crewkit.tools._tool import Tool


@dataclass(frozen=True, eq=False)
class RunAgent:
    """An agent as this run sees it: texts filled in, model resolved."""

    definition: Agent
    role: str
    goal: str
    backstory: str
    llm: LLM
    tools: tuple[Tool, ...]
    max_iter: int


@dataclass(frozen=True, eq=False)
class RunTask:
    """A task as this run sees it: texts filled in, a unique label, its agent resolved."""

    definition: Task
    index: int
    label: str
    description: str
    expected_output: str
    agent: RunAgent | None
    context: tuple[int, ...] | None
    """Indexes of the tasks whose output this one receives; ``None`` means all earlier ones."""
    step_plan: str | None = None
    """The planner's steps for this task (``Crew(planning=True)``), added to its prompt."""


@dataclass(frozen=True)
class Plan:
    """Everything a run of one crew with one set of inputs works on."""

    agents: tuple[RunAgent, ...]
    tasks: tuple[RunTask, ...]
    manager: RunAgent | None = None
    """The hierarchical crew's manager (not one of ``agents``)."""
    planner_llm: LLM | None = None
    """The planner's model when the crew plans."""


_AGENT_TEXTS = ("role", "goal", "backstory")
_TASK_TEXTS = ("description", "expected_output")


def check_inputs(crew: Crew, inputs: Mapping[str, Any]) -> None:
    """Raise one :class:`MissingInputError` listing every missing placeholder and where it is used."""
    missing: dict[str, list[str]] = {}
    for agent in _all_agents(crew):
        for attr in _AGENT_TEXTS:
            for name in placeholders(getattr(agent, attr)):
                if name not in inputs:
                    missing.setdefault(name, []).append(f"agent {agent.role!r}.{attr}")
    for index, task in enumerate(crew.tasks):
        label = task.name or f"#{index + 1}"
        for attr in _TASK_TEXTS:
            for name in placeholders(getattr(task, attr)):
                if name not in inputs:
                    missing.setdefault(name, []).append(f"task {label!r}.{attr}")
    if missing:
        raise MissingInputError(missing)


def prepare(crew: Crew, inputs: Mapping[str, Any]) -> Plan:
    """Check inputs and models, then build the run's view of agents and tasks."""
    check_inputs(crew, inputs)
    agents = {id(agent): _run_agent(agent, crew.llm, inputs) for agent in crew.agents}
    position = {id(t): i for i, t in enumerate(crew.tasks)}
    tasks = []
    for index, task in enumerate(crew.tasks):
        description = interpolate(task.description, inputs)
        tasks.append(
            RunTask(
                definition=task,
                index=index,
                label=task.name or _label(description, index),
                description=description,
                expected_output=interpolate(task.expected_output, inputs),
                agent=agents[id(task.agent)] if task.agent is not None else None,
                context=None
                if task.context is None
                else tuple(position[id(c)] for c in task.context),
            )
        )
    manager = None
    if crew.process is Process.hierarchical:
        manager = _manager(crew, inputs)
    planner_llm = None
    if crew.planning:
        planner_llm = _resolve(crew.planning_llm if crew.planning_llm is not None else crew.llm)
    return Plan(
        agents=tuple(agents.values()),
        tasks=tuple(tasks),
        manager=manager,
        planner_llm=planner_llm,
    )


def _all_agents(crew: Crew) -> list[Agent]:
    manager = [crew.manager_agent] if crew.manager_agent is not None else []
    return [*crew.agents, *manager]


def _resolve(spec: LLM | str | None) -> LLM:
    return resolve_llm(spec if spec is not None else default_llm_spec())


def _run_agent(agent: Agent, fallback: LLM | str | None, inputs: Mapping[str, Any]) -> RunAgent:
    return RunAgent(
        definition=agent,
        role=interpolate(agent.role, inputs),
        goal=interpolate(agent.goal, inputs),
        backstory=interpolate(agent.backstory, inputs),
        llm=_resolve(agent.llm if agent.llm is not None else fallback),
        tools=_checked_tools(agent),
        max_iter=agent.max_iter,
    )


def _manager(crew: Crew, inputs: Mapping[str, Any]) -> RunAgent:
    """The manager: ``manager_agent`` (its model, else ``manager_llm``, else the crew's), or the
    built-in one on ``manager_llm``."""
    if crew.manager_agent is not None:
        fallback = crew.manager_llm if crew.manager_llm is not None else crew.llm
        return _run_agent(crew.manager_agent, fallback, inputs)
    from crewkit import prompts

    definition = Agent(
        role=DEFAULT_MANAGER_ROLE,
        goal=prompts.render("manager_goal"),
        backstory=prompts.render("manager_backstory"),
    )
    return _run_agent(definition, crew.manager_llm, {})


def _checked_tools(agent: Agent) -> tuple[Tool, ...]:
    """Build every tool's schema now, so a broken tool fails before the first model call."""
    for t in agent.tools:
        t.spec()
    return tuple(agent.tools)


def _label(description: str, index: int) -> str:
    first = description.strip().splitlines()[0]
    short = first if len(first) <= 60 else first[:57].rstrip() + "..."
    return f"Task {index + 1}: {short}"
