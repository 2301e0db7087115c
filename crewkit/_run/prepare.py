"""Resolve a crew definition plus inputs into what one run works on, checking everything a run needs
before any model is called: every placeholder has a value and every agent has a model."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crewkit._crew_definition import DEFAULT_MANAGER_ROLE, CrewDefinition, Process
from crewkit._inputs import interpolate, placeholders
from crewkit._ratelimit import Limiter, shared_limiter
from crewkit.agent import AGENT_TEXTS, Agent
from crewkit.errors import ConfigurationError, HumanInputError, MissingInputError
from crewkit.llm._base import LLM
from crewkit.llm._registry import model_for
from crewkit.task import TASK_TEXTS, Task
from crewkit.tools._tool import BoundTool, Tool


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
    max_execution_time: float | None = None
    limiters: tuple[Limiter, ...] = ()
    """Rate limits every model call of this agent waits for (the agent's and the crew's)."""
    instructions: tuple[str, ...] = ()
    """Instructions learnt in training (``Crew.train``), added to every task prompt of the agent."""


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
    output_path: Path | None = None
    """Where the output is written, already checked to stay inside the allowed folder."""
    step_plan: str | None = None
    """The planner's steps for this task (``Crew(planning=True)``), added to its prompt."""
    tools: tuple[Tool, ...] | None = None
    """The task's own tools, which replace its agent's; ``None`` when it has none."""


@dataclass(frozen=True)
class ResolvedCrew:
    """The crew as this run sees it: everything a run of one crew with one set of inputs works on."""

    agents: tuple[RunAgent, ...]
    tasks: tuple[RunTask, ...]
    manager: RunAgent | None = None
    """The hierarchical crew's manager (not one of ``agents``)."""
    planner_llm: LLM | None = None
    """The planner's model when the crew plans."""


def check_inputs(crew: CrewDefinition, inputs: Mapping[str, Any]) -> None:
    """Raise one :class:`MissingInputError` listing every missing placeholder and where it is used."""
    missing: dict[str, list[str]] = {}
    for agent in _all_agents(crew):
        texts = [(attr, getattr(agent, attr)) for attr in AGENT_TEXTS]
        texts += [
            (f"tools[{t.name!r}].{arg}", value)
            for t in agent.tools
            if isinstance(t, BoundTool)
            for arg, value in t.bound.items()
            if isinstance(value, str)
        ]
        for attr, text in texts:
            for name in placeholders(text):
                if name not in inputs:
                    missing.setdefault(name, []).append(f"agent {agent.role!r}.{attr}")
    for index, task in enumerate(crew.tasks):
        label = task.name or f"#{index + 1}"
        for attr in TASK_TEXTS:
            for name in placeholders(getattr(task, attr)):
                if name not in inputs:
                    missing.setdefault(name, []).append(f"task {label!r}.{attr}")
    if missing:
        raise MissingInputError(missing)


def prepare(
    crew: CrewDefinition, inputs: Mapping[str, Any], *, durable: bool = False
) -> ResolvedCrew:
    """Check inputs and models, then build the run's view of agents and tasks. A durable run
    needs no person at hand for reviews: it waits for one."""
    check_inputs(crew, inputs)
    if not durable:
        _check_human_input(crew)
    crew_limits = (shared_limiter(crew, crew.max_rpm),) if crew.max_rpm else ()
    trained = trained_instructions(crew)
    agents: dict[int, RunAgent] = {}
    for agent in crew.agents:
        role = interpolate(agent.role, inputs)
        agents[id(agent)] = run_agent_for(
            agent, crew, inputs, crew_limits, instructions=trained.get(role, ())
        )
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
                output_path=None
                if task.output_file is None
                else output_path(interpolate(task.output_file, inputs), crew.output_dir),
                tools=None if task.tools is None else _checked_tools(task.tools, inputs),
            )
        )
    manager = None
    if crew.process is Process.hierarchical:
        manager = _manager(crew, inputs, crew_limits)
    planner_llm = None
    if crew.planning:
        planner_llm = model_for(crew.planning_llm, crew.llm)
    return ResolvedCrew(
        agents=tuple(agents.values()), tasks=tuple(tasks), manager=manager, planner_llm=planner_llm
    )


def _all_agents(crew: CrewDefinition) -> list[Agent]:
    manager = [crew.manager_agent] if crew.manager_agent is not None else []
    return [*crew.agents, *manager]


def _manager(
    crew: CrewDefinition, inputs: Mapping[str, Any], crew_limits: tuple[Limiter, ...]
) -> RunAgent:
    """The manager: ``manager_agent`` (its model, else ``manager_llm``, else the crew's), or the
    built-in one on ``manager_llm``."""
    if crew.manager_agent is not None:
        return run_agent_for(
            crew.manager_agent, crew, inputs, crew_limits, fallback_llm=crew.manager_llm
        )
    from crewkit import prompts

    definition = Agent(
        role=DEFAULT_MANAGER_ROLE,
        goal=prompts.render("manager_goal"),
        backstory=prompts.render("manager_backstory"),
    )
    return run_agent_for(definition, crew, {}, crew_limits, fallback_llm=crew.manager_llm)


def run_agent_for(
    agent: Agent,
    crew: CrewDefinition,
    inputs: Mapping[str, Any],
    crew_limits: tuple[Limiter, ...] = (),
    *,
    fallback_llm: LLM | str | None = None,
    instructions: Sequence[str] = (),
) -> RunAgent:
    """The run's view of ``agent``: texts filled in, model resolved (agent's, ``fallback_llm``,
    crew's, default)."""
    own_limit = (shared_limiter(agent, agent.max_rpm),) if agent.max_rpm else ()
    return RunAgent(
        definition=agent,
        role=interpolate(agent.role, inputs),
        goal=interpolate(agent.goal, inputs),
        backstory=interpolate(agent.backstory, inputs),
        llm=model_for(agent.llm, fallback_llm, crew.llm),
        tools=_checked_tools(agent.tools, inputs),
        max_iter=agent.max_iter,
        max_execution_time=agent.max_execution_time,
        limiters=own_limit + crew_limits,
        instructions=tuple(instructions),
    )


def trained_instructions(crew: CrewDefinition) -> dict[str, tuple[str, ...]]:
    """Per agent role (placeholders filled), the instructions in the crew's training file (``trained_agents_file``, else
    ``CREWKIT_TRAINED_AGENTS_FILE``); none when neither names a file."""
    import json
    import os

    name = crew.trained_agents_file or os.environ.get("CREWKIT_TRAINED_AGENTS_FILE", "").strip()
    if not name:
        return {}
    try:
        data = json.loads(Path(name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"training file {name!r} does not exist; run crew.train(...) to make it"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"training file {name!r} cannot be read as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"training file {name!r}: expected an object of agent roles")
    found: dict[str, tuple[str, ...]] = {}
    for role, entry in data.items():
        lines = entry.get("suggestions") if isinstance(entry, dict) else None
        if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
            raise ConfigurationError(
                f"training file {name!r}: {role!r} needs a list of suggestion strings"
            )
        found[str(role)] = tuple(lines)
    return found


def output_path(path: str, output_dir: str | None) -> Path:
    """Resolve a task's output file, refusing anything outside the allowed folder.

    Without ``Crew(output_dir=...)`` the folder is the working directory and absolute paths are
    refused; with it, relative paths resolve inside it and absolute paths must lie within it.
    """
    base = Path(output_dir or ".").resolve()
    given = Path(path).expanduser() if output_dir else Path(path)
    if given.is_absolute() and not output_dir:
        raise ConfigurationError(
            f"output_file {path!r} is absolute; use a path relative to the working directory, "
            "or set Crew(output_dir=...) to allow a folder"
        )
    if "\0" in path:
        raise ConfigurationError(f"output_file {path!r} contains a NUL character")
    target = (base / given).resolve()
    if not target.is_relative_to(base):
        raise ConfigurationError(
            f"output_file {path!r} points outside {base}; files may only be written inside it"
        )
    _check_writable(path, target)
    return target


NAME_MAX = 255
"""Longest file name, in bytes, that common file systems take."""


def _check_writable(path: str, target: Path) -> None:
    """Refuse, before any model is called, an output file that could never be written: an existing
    folder, a path through a file, a name too long for the file system."""
    long = next((p for p in target.parts if len(os.fsencode(p)) > NAME_MAX), None)
    if long is not None:
        raise ConfigurationError(
            f"output_file {path!r}: the name {long[:40]!r}... is longer than {NAME_MAX} bytes"
        )
    if target.is_dir():
        raise ConfigurationError(f"output_file {path!r} is an existing folder; name a file in it")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigurationError(
                    f"output_file {path!r} goes through {str(parent)!r}, which is a file"
                )
            break


def _check_human_input(crew: CrewDefinition) -> None:
    needs = [t for t in crew.tasks if t.human_input]
    if needs and crew.ask_human is None and not sys.stdin.isatty():
        raise HumanInputError(
            f"task {needs[0]!r} has human_input=True but this run is not interactive: "
            "pass Crew(ask_human=...) to collect the review another way, or make the crew "
            "durable (Crew(durable=True)) so the run waits for a review"
        )


def _checked_tools(given: Sequence[Tool], inputs: Mapping[str, Any]) -> tuple[Tool, ...]:
    """Fill bound arguments from inputs and build every schema now, so a broken tool fails before
    the first model call."""
    tools = tuple(t.with_inputs(inputs) if isinstance(t, BoundTool) else t for t in given)
    for t in tools:
        t.spec()
    return tools


def _label(description: str, index: int) -> str:
    """``Task 2: <first line>``; just ``Task 2`` when inputs left the description empty."""
    lines = description.strip().splitlines()
    if not lines:
        return f"Task {index + 1}"
    short = lines[0] if len(lines[0]) <= 60 else lines[0][:57].rstrip() + "..."
    return f"Task {index + 1}: {short}"
