"""A crew as a definition: its fields and their checks, and :class:`Process`. The run reads this
module; :mod:`crewkit.crew` adds kickoff on top, so starting a run never makes the run import back."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crewkit._compat import crewai_arguments
from crewkit._numbers import is_whole
from crewkit.agent import Agent
from crewkit.errors import ConfigurationError
from crewkit.llm._base import LLM
from crewkit.llm._foreign import as_model
from crewkit.task import CrewOutput, Task, TaskOutput

if TYPE_CHECKING:
    import os

    from crewkit.events import Event, Listener
    from crewkit.journal import Journal
    from crewkit.knowledge import KnowledgeConfig, KnowledgeSource
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


@crewai_arguments(name="Crew")
@dataclass(eq=False)
class CrewDefinition:
    """What a crew is: its fields, checked when it is defined. :class:`~crewkit.Crew` adds the
    ways to run it; a run reads only this, so the run never needs the class that starts it.
    CrewAI settings crewkit has no use for (``tracing=``, ``share_crew=``…) are accepted with a
    :class:`~crewkit.errors.CompatibilityWarning` saying so."""

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
    """Token budget of one run: the prompt and completion tokens its model calls report. No call
    starts that would certainly pass it, a reply is capped to what is left once little is, and
    past it (or at a reply cut there) the run stops with :class:`BudgetExceededError`."""
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
    before_kickoff_callbacks: Sequence[Callable[[dict[str, Any]], dict[str, Any] | None]] = ()
    """Called in order with the inputs before each kickoff; each may return changed inputs. A
    ``ValueError`` it raises stops the kickoff before any model call, with its message."""
    after_kickoff_callbacks: Sequence[Callable[[CrewOutput], CrewOutput | None]] = ()
    """Called in order with the output after each kickoff; each may return a changed output."""
    trained_agents_file: str | None = None
    """Instructions learnt by :meth:`~crewkit.Crew.train` (a JSON file): each agent gets its own
    in every task prompt. ``None`` reads ``CREWKIT_TRAINED_AGENTS_FILE`` when that is set."""
    durable: Journal | bool | str | os.PathLike[str] | None = None
    """Journal every run so it survives a crash and can be resumed, replayed and reviewed later:
    ``True`` for ``.crewkit/runs.db`` in the working directory, a file path, or a
    :class:`~crewkit.journal.Journal`; ``None``/``False`` for none."""
    knowledge_sources: Sequence[KnowledgeSource] = ()
    """Documents every agent consults: the passages most relevant to each task go into its
    prompt, labelled with their source."""
    knowledge_config: KnowledgeConfig | None = None
    """Passages per task and the index file; ``None`` for the defaults."""
    stream: bool = False
    """CrewAI's switch: ``kickoff()`` returns a :class:`~crewkit.streaming.CrewStream` of chunks
    as the models write. (On a :class:`~crewkit.Crew`, ``crew.stream(inputs)`` also streams events.)"""

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
        self.llm = as_model(self.llm, "Crew.llm")
        self.verbose = bool(self.verbose)  # CrewAI projects pass verbose=2
        for hooks in ("before_kickoff_callbacks", "after_kickoff_callbacks"):
            listed = list(getattr(self, hooks))
            if not all(callable(h) for h in listed):
                raise ConfigurationError(f"Crew.{hooks} must be a list of functions")
            setattr(self, hooks, listed)
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
        self.journal: Journal | None = None
        """The run journal ``durable`` names, or ``None``."""
        if self.durable is not None and self.durable is not False:
            from crewkit.journal._journal import resolve  # only durable crews pay for sqlite3

            self.journal = resolve(self.durable)
        if self.knowledge_sources or self.knowledge_config is not None:
            from crewkit.knowledge._sources import check_config, check_sources

            self.knowledge_sources = check_sources(self.knowledge_sources, "Crew")
            check_config(self.knowledge_config, "Crew")

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
            setattr(self, name, as_model(getattr(self, name), f"Crew.{name}"))
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


def _list_of(value: object, kind: type, field_name: str) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ConfigurationError(f"{field_name} must be a list of {kind.__name__} objects")
    bad = [v for v in value if not isinstance(v, kind)]
    if bad:
        raise ConfigurationError(
            f"{field_name} must contain only {kind.__name__} objects, got {bad[0]!r}"
        )
    return list(value)
