"""Crew: a team of agents and the tasks they run, validated when it is defined."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crewkit._numbers import is_whole
from crewkit.agent import Agent
from crewkit.errors import ConfigurationError
from crewkit.llm._base import LLM
from crewkit.llm._types import Usage
from crewkit.task import Task, TaskOutput

if TYPE_CHECKING:
    from crewkit.events import Event, Listener
    from crewkit.memory import Memory

DEFAULT_MAX_DELEGATIONS = 10
"""Per task: room for one delegation and one correction to each of four or five coworkers."""
DEFAULT_MANAGER_ROLE = "Crew Manager"
"""The role of the built-in manager (``manager_llm``): how it appears in usage and events."""


class Process(str, enum.Enum):
    """How a crew runs its tasks."""

    sequential = "sequential"
    """Tasks run in order, each by its own agent."""
    hierarchical = "hierarchical"
    """A manager runs every task, delegating to the agents and checking their work."""


@dataclass
class CrewOutput:
    """What a kickoff produced."""

    raw: str
    """The last task's final answer."""
    tasks_output: list[TaskOutput]
    """Every task's output, in task order."""
    token_usage: Usage
    """Tokens and requests of the whole run, each model call counted once."""
    usage_by_agent: dict[str, Usage] = field(default_factory=dict)
    """The same usage split by agent role."""

    def __str__(self) -> str:
        return self.raw

    @property
    def pydantic(self) -> Any:
        """The last task's validated model instance, if it has ``output_pydantic``."""
        return self.tasks_output[-1].pydantic if self.tasks_output else None

    @property
    def json_dict(self) -> dict[str, Any] | None:
        """The last task's structured answer as a dict, if it has an output schema."""
        return self.tasks_output[-1].json_dict if self.tasks_output else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "raw": self.raw,
            "tasks_output": [t.to_dict() for t in self.tasks_output],
            "token_usage": self.token_usage.as_dict(),
            "usage_by_agent": {k: v.as_dict() for k, v in self.usage_by_agent.items()},
        }


@dataclass(eq=False)
class Crew:
    """A team of agents working through tasks. The definition is checked here, so mistakes show up
    before any model is called; :meth:`kickoff` may then run it any number of times."""

    agents: Sequence[Agent]
    """The team."""
    tasks: Sequence[Task]
    """The work, in order."""
    process: Process | str = Process.sequential
    """``sequential`` or ``hierarchical``."""
    llm: LLM | str | None = None
    """Model for agents that name none; ``None`` falls back to ``CREWKIT_MODEL``."""
    verbose: bool = False
    """Show the run as a live tree on stderr."""
    step_callback: Callable[[Event], object] | None = None
    """Called after each agent step (a tool call, or a final answer)."""
    task_callback: Callable[[TaskOutput], object] | None = None
    """Called with each task's output."""
    listeners: Sequence[Listener] = ()
    """Receive every event of every run of this crew."""
    name: str = "crew"
    """Used in events and output."""
    max_rpm: int | None = None
    """Model requests per minute for the whole crew, across concurrent tasks and runs."""
    max_tokens: int | None = None
    """Token budget of one run; past it the run stops with :class:`BudgetExceededError`."""
    output_dir: str | None = None
    """The folder task output files go to; absolute paths inside it are allowed too."""
    ask_human: Callable[[TaskOutput], str | Awaitable[str]] | None = None
    """Asks a person to review a ``human_input`` task's answer; returns feedback, or "" to accept.
    Default: a console prompt when stdin is a terminal."""
    manager_llm: LLM | str | None = None
    """Hierarchical crews: the model of the built-in manager."""
    manager_agent: Agent | None = None
    """Hierarchical crews: a custom manager (not one of ``agents``); it may have its own tools."""
    max_delegations: int = DEFAULT_MAX_DELEGATIONS
    """Delegations (work or questions) one task may make; past it the delegating agent must answer."""
    planning: bool = False
    """Before the tasks run, a planner writes a short step plan for each, added to its prompt."""
    planning_llm: LLM | str | None = None
    """The planner's model; ``None`` uses the crew's model."""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    """Default values for placeholders; ``kickoff(inputs=...)`` overrides them name by name."""
    memory: Memory | bool | None = None
    """Shared memory: ``True`` for ``.crewkit/memory.db`` in the working directory, or a
    :class:`~crewkit.memory.Memory`; ``None``/``False`` for none."""

    def __post_init__(self) -> None:
        self.agents = _list_of(self.agents, Agent, "Crew.agents")
        self.tasks = _list_of(self.tasks, Task, "Crew.tasks")
        if not isinstance(self.inputs, Mapping):
            raise ConfigurationError(f"Crew.inputs must be a mapping, got {self.inputs!r}")
        self.inputs = dict(self.inputs)
        if not self.tasks:
            raise ConfigurationError("Crew.tasks is empty: a crew needs at least one task")
        try:
            self.process = Process(self.process)
        except ValueError:
            raise ConfigurationError(
                f"Crew.process must be 'sequential' or 'hierarchical', got {self.process!r}"
            ) from None
        if self.llm is not None and not isinstance(self.llm, (LLM, str)):
            raise ConfigurationError(f"Crew.llm must be a model object or string, got {self.llm!r}")
        for attr in ("max_rpm", "max_tokens"):
            value = getattr(self, attr)
            if value is not None and not is_whole(value, 1):
                raise ConfigurationError(
                    f"Crew.{attr} must be a positive integer or None, got {value!r}"
                )
        self._check_delegation_settings()
        self._check_agents()
        self._check_tasks()
        self._check_memory()

    def _check_memory(self) -> None:
        if self.memory is None or self.memory is False:
            self.memory = None
            return
        from crewkit.memory import Memory  # only crews with memory pay for sqlite3

        if self.memory is True:
            self.memory = Memory()
        elif not isinstance(self.memory, Memory):
            raise ConfigurationError(
                f"Crew.memory must be True, False or a crewkit.memory.Memory, got {self.memory!r}"
            )

    def _check_delegation_settings(self) -> None:
        for name in ("manager_llm", "planning_llm"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, (LLM, str)):
                raise ConfigurationError(
                    f"Crew.{name} must be a model object or string, got {value!r}"
                )
        if self.manager_agent is not None and not isinstance(self.manager_agent, Agent):
            raise ConfigurationError(
                f"Crew.manager_agent must be an Agent, got {self.manager_agent!r}"
            )
        limit = self.max_delegations
        if not is_whole(limit, 1):
            raise ConfigurationError(
                f"Crew.max_delegations must be an integer of at least 1, got {limit!r}"
            )
        if self.process is not Process.hierarchical:
            if self.manager_llm is not None or self.manager_agent is not None:
                raise ConfigurationError(
                    "Crew.manager_llm and Crew.manager_agent only apply to "
                    "process='hierarchical'; this crew is sequential"
                )
            return
        if self.manager_llm is None and self.manager_agent is None:
            raise ConfigurationError(
                "a hierarchical crew needs a manager: pass Crew(manager_llm='provider/model') "
                "for the built-in manager, or Crew(manager_agent=Agent(...))"
            )
        if not self.agents:
            raise ConfigurationError(
                "a hierarchical crew needs agents for the manager to delegate to; Crew.agents is empty"
            )
        manager = self.manager_agent
        role = manager.role if manager is not None else DEFAULT_MANAGER_ROLE
        if manager is not None and any(a is manager for a in self.agents):
            raise ConfigurationError(
                f"Crew.manager_agent {manager!r} is also in Crew.agents; the manager only "
                "delegates, so remove it from agents"
            )
        for agent in self.agents:
            if agent.role.strip().lower() == role.strip().lower():
                raise ConfigurationError(
                    f"Crew.agents has {agent!r} with the manager's role {role!r}; coworkers are "
                    "addressed by role, so give the manager or the agent another role"
                )

    def _check_agents(self) -> None:
        roles: dict[str, Agent] = {}
        for agent in self.agents:
            key = agent.role.strip().lower()
            if key in roles:
                raise ConfigurationError(
                    f"Crew.agents has two agents with role {agent.role!r}; roles must be unique "
                    "because coworkers address each other by role"
                )
            roles[key] = agent

    def _check_tasks(self) -> None:
        members = {id(a) for a in self.agents}
        position = {id(t): i for i, t in enumerate(self.tasks)}
        names: set[str] = set()
        for index, task in enumerate(self.tasks):
            where = f"Crew.tasks[{index}] {task!r}"
            if task.name is not None:
                if task.name in names:
                    raise ConfigurationError(f"{where}: another task is also named {task.name!r}")
                names.add(task.name)
            if task.agent is None and self.process is Process.sequential:
                raise ConfigurationError(
                    f"{where} has no agent: in a sequential crew every task needs agent=... "
                    "(or use process='hierarchical' to let a manager assign it)"
                )
            if task.agent is not None and id(task.agent) not in members:
                raise ConfigurationError(
                    f"{where}.agent is {task.agent!r}, which is not in Crew.agents; "
                    f"add it to agents (members: {', '.join(repr(a.role) for a in self.agents)})"
                )
            for dep in task.context or ():
                dep_index = position.get(id(dep))
                if dep_index is None:
                    raise ConfigurationError(
                        f"{where}.context includes {dep!r}, which is not one of this crew's tasks"
                    )
                if dep_index >= index:
                    raise ConfigurationError(
                        f"{where}.context includes {dep!r}, which comes "
                        f"{'at the same place' if dep_index == index else 'later'}; "
                        "context may only name earlier tasks"
                    )

    def kickoff(self, inputs: dict[str, Any] | None = None) -> CrewOutput:
        """Run the crew and return its output. Works inside a running event loop too (notebooks)."""
        from crewkit._sync import run_sync

        return run_sync(lambda: self.kickoff_async(inputs))

    async def kickoff_async(self, inputs: dict[str, Any] | None = None) -> CrewOutput:
        """Run the crew on the current event loop."""
        from crewkit._run.runner import run_crew

        return await run_crew(self, {**self.inputs, **(inputs or {})})

    def kickoff_for_each(self, inputs: Sequence[dict[str, Any]]) -> list[CrewOutput]:
        """Run the crew once per inputs dict, one after another; outputs in input order."""
        from crewkit._sync import run_sync

        return run_sync(lambda: self.kickoff_for_each_async(inputs, concurrency=1))

    async def kickoff_for_each_async(
        self, inputs: Sequence[dict[str, Any]], *, concurrency: int = 4
    ) -> list[CrewOutput]:
        """Run the crew once per inputs dict, up to ``concurrency`` runs at a time; outputs in input
        order, each with its own usage. Runs share nothing but the definition and rate limits."""
        import asyncio

        if not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigurationError(f"concurrency must be a positive integer, got {concurrency!r}")
        from crewkit._run.plan import check_inputs

        for each in inputs:
            check_inputs(self, {**self.inputs, **each})
        gate = asyncio.Semaphore(concurrency)

        async def one(each: dict[str, Any]) -> CrewOutput:
            async with gate:
                return await self.kickoff_async(each)

        return list(await asyncio.gather(*(one(each) for each in inputs)))

    def __repr__(self) -> str:
        return f"Crew(name={self.name!r}, agents={len(self.agents)}, tasks={len(self.tasks)})"


def _list_of(value: object, kind: type, field_name: str) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ConfigurationError(f"{field_name} must be a list of {kind.__name__} objects")
    bad = [v for v in value if not isinstance(v, kind)]
    if bad:
        raise ConfigurationError(
            f"{field_name} must contain only {kind.__name__} objects, got {bad[0]!r}"
        )
    return list(value)
