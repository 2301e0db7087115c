"""Task: what is to be done; TaskOutput and CrewOutput: what came of it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from crewkit._compat import crewai_arguments, warn_once
from crewkit._numbers import is_whole
from crewkit._text import is_text
from crewkit.agent import Agent
from crewkit.errors import ConfigurationError
from crewkit.llm._types import Usage
from crewkit.tools._accept import as_tool
from crewkit.tools._tool import Tool

if TYPE_CHECKING:
    from crewkit.costs import CallRecord, CostReport

Guardrail: TypeAlias = Callable[["TaskOutput"], "tuple[bool, Any]"]
"""Checks an output: returns ``(True, value)`` to accept (``value`` may replace the answer) or
``(False, "feedback")`` to send the agent back to work with that feedback; raising an exception
rejects the answer with its message."""

TASK_TEXTS = ("description", "expected_output")
"""The task's texts, filled from the kickoff inputs."""


RunAlone: TypeAlias = Callable[
    ["Task", Agent | None, "str | None", "Sequence[Tool | Any] | None"], "TaskOutput"
]
_run_alone: RunAlone | None = None
"""Runs one task as a crew of its own; set by :mod:`crewkit.crew`, which sits above this module."""


@crewai_arguments
@dataclass(eq=False)
class Task:
    """A piece of work: what to do, what a good result looks like, and who does it.
    Placeholders like ``{topic}`` are filled from the kickoff inputs.

    ``Task(config={...})`` takes the settings as a dict (an entry of CrewAI's tasks.yaml); keyword
    arguments win over it. Surrounding whitespace of the texts is dropped."""

    description: str
    """What to do."""
    expected_output: str = ""
    """What a complete answer looks like. Leaving it out is accepted with a warning, as CrewAI's
    older projects do; the prompt then says nothing about it rather than inventing one."""
    agent: Agent | None = None
    """Who does it; required in a sequential crew, a preference in a hierarchical one."""
    context: Sequence[Task] | None = None
    """Tasks whose outputs this one receives; ``None`` means all earlier tasks, ``[]`` none."""
    name: str | None = None
    """A short name used in outputs, events and context labels."""
    output_pydantic: type[Any] | None = None
    """A pydantic model the answer must satisfy; the result is in ``TaskOutput.pydantic``."""
    output_json: type[Any] | None = None
    """A pydantic model the answer must satisfy; the result is a dict in ``TaskOutput.json_dict``."""
    output_retries: int = 2
    """How often the model may retry an answer that does not match the output schema."""
    guardrail: Guardrail | Sequence[Guardrail] | None = None
    """One or more checks every answer must pass; see :data:`Guardrail`."""
    guardrail_max_retries: int = 3
    """How often a rejected answer is sent back before :class:`GuardrailError`."""
    async_execution: bool = False
    """Run concurrently with neighbouring tasks, waiting only for the tasks in ``context``."""
    output_file: str | None = None
    """Write the output to this path (relative to the crew's ``output_dir``, or the working directory)."""
    human_input: bool = False
    """Ask a person to review the answer; their feedback sends the agent back to work."""
    callback: Callable[[TaskOutput], object] | None = None
    """Called with the output when the task is done."""
    tools: Sequence[Tool | Any] | None = None
    """Tools for this task only: they replace the agent's own while it works on it."""

    def __post_init__(self) -> None:
        if not is_text(self.description):
            raise ConfigurationError(
                f"Task.description must be a non-empty string, got {self.description!r}{self._where()}"
            )
        if self.expected_output is None:  # CrewAI tolerates a task without one; so do we, warning
            self.expected_output = ""
        if not isinstance(self.expected_output, str):
            raise ConfigurationError(
                f"Task.expected_output must be a string, got {self.expected_output!r}{self._where()}"
            )
        self.description = self.description.strip()
        self.expected_output = self.expected_output.strip()
        if not self.expected_output:
            warn_once(
                ("Task.expected_output", self.name or self.description[:60]),
                f"task {self.name or self.description.splitlines()[0][:60]!r} has no expected_output; "
                "it runs without one (the prompt does not mention it)",
                stacklevel=4,
            )
        if self.tools is not None:
            if isinstance(self.tools, (str, bytes)) or not isinstance(self.tools, Sequence):
                raise ConfigurationError(f"Task.tools must be a list{self._where()}")
            self.tools = [
                as_tool(t, f"task {self.name or self.description[:40]!r}") for t in self.tools
            ]
        if self.agent is not None and not isinstance(self.agent, Agent):
            raise ConfigurationError(
                f"Task.agent must be an Agent, got {self.agent!r}{self._where()}"
            )
        if self.context is not None:
            if isinstance(self.context, (str, bytes)) or not isinstance(self.context, Sequence):
                raise ConfigurationError(f"Task.context must be a list of tasks{self._where()}")
            bad = [c for c in self.context if not isinstance(c, Task)]
            if bad:
                raise ConfigurationError(
                    f"Task.context must contain Task objects, got {bad[0]!r}{self._where()}"
                )
            self.context = list(self.context)
        if self.name is not None and not is_text(self.name):
            raise ConfigurationError(f"Task.name must be a non-empty string, got {self.name!r}")
        self._check_outputs()

    def _check_outputs(self) -> None:
        for attr in ("output_pydantic", "output_json"):
            value = getattr(self, attr)
            if value is not None and not (
                isinstance(value, type) and hasattr(value, "model_validate")
            ):
                raise ConfigurationError(
                    f"Task.{attr} must be a pydantic model class, got {value!r}{self._where()}"
                )
        if self.output_pydantic is not None and self.output_json is not None:
            raise ConfigurationError(
                f"Task sets both output_pydantic and output_json; choose one{self._where()}"
            )
        for attr in ("output_retries", "guardrail_max_retries"):
            value = getattr(self, attr)
            if not is_whole(value, 0):
                raise ConfigurationError(
                    f"Task.{attr} must be a whole number >= 0, got {value!r}{self._where()}"
                )
        if not all(callable(g) for g in self.guardrails):
            raise ConfigurationError(
                f"Task.guardrail must be a function or a list of them{self._where()}"
            )
        if self.output_file is not None and not is_text(self.output_file):
            raise ConfigurationError(
                f"Task.output_file must be a non-empty path string, got {self.output_file!r}{self._where()}"
            )
        if self.callback is not None and not callable(self.callback):
            raise ConfigurationError(f"Task.callback must be a function{self._where()}")

    @property
    def guardrails(self) -> list[Guardrail]:
        """The guardrails as a list (``guardrail`` may be one function or several)."""
        if self.guardrail is None:
            return []
        if callable(self.guardrail):
            return [self.guardrail]
        return list(self.guardrail)

    @property
    def output_model(self) -> type[Any] | None:
        """The pydantic model of a structured output, from either ``output_pydantic`` or ``output_json``."""
        return self.output_pydantic or self.output_json

    def execute_sync(
        self,
        agent: Agent | None = None,
        context: str | None = None,
        tools: Sequence[Tool | Any] | None = None,
    ) -> TaskOutput:
        """Run this task alone, outside any crew: by ``agent`` (default: the task's own), with
        ``context`` text added to its description and ``tools`` replacing the agent's."""
        if _run_alone is None:  # pragma: no cover - crewkit.crew installs it on import
            raise ConfigurationError("Task.execute_sync needs crewkit.crew; import crewkit first")
        return _run_alone(self, agent, context, tools)

    def execute(
        self,
        agent: Agent | None = None,
        context: str | None = None,
        tools: Sequence[Tool | Any] | None = None,
    ) -> str:
        """CrewAI's older :meth:`execute_sync`: the answer's text only."""
        return self.execute_sync(agent, context, tools).raw

    def _where(self) -> str:
        return f" (task {self.name!r})" if isinstance(self.name, str) else ""

    def __repr__(self) -> str:
        label = self.name or self.description.strip().splitlines()[0][:40]
        return f"Task({label!r})"


@dataclass
class TaskOutput:
    """The result of one task."""

    raw: str
    """The final answer's text."""
    name: str
    """The task's name (or a label made from its description)."""
    description: str
    """The task's description, inputs filled in."""
    agent: str
    """Role of the agent that gave the final answer."""
    expected_output: str = ""
    """The expected output, inputs filled in."""
    token_usage: Usage = field(default_factory=Usage)
    """Tokens and requests this task used, delegated work included."""
    forced: bool = False
    """True when the answer was demanded at a limit (``max_iter``) instead of given freely."""
    pydantic: Any = None
    """The validated model instance, for tasks with ``output_pydantic``."""
    json_dict: dict[str, Any] | None = None
    """The validated answer as a dict, for tasks with ``output_pydantic`` or ``output_json``."""
    inputs: dict[str, Any] = field(default_factory=dict)
    """The kickoff inputs of the run that produced this output (guardrails and callbacks may need
    them, e.g. to recompute a figure the model was asked to report)."""
    plan: str | None = None
    """The step plan the task was given (``Crew(planning=True)``)."""
    rejections: int = 0
    """How often the guardrails have sent this task's answer back so far: a guardrail can ask
    once for a better answer, then accept the next one and flag what is still wrong."""

    def __str__(self) -> str:
        return self.raw

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "name": self.name,
            "description": self.description,
            "agent": self.agent,
            "raw": self.raw,
            "json_dict": self.json_dict,
            "forced": self.forced,
            "plan": self.plan,
            "token_usage": self.token_usage.as_dict(),
        }


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
    run_id: str = ""
    """The run's id: name it in ``crew.resume``, ``crew.replay`` and ``crewkit runs show``. Not
    part of :meth:`to_dict`, so two runs that did the same work have equal dicts."""
    calls: list[CallRecord] = field(default_factory=list, repr=False)
    """Every model call of the run: who made it, which model answered, its tokens."""

    def __str__(self) -> str:
        return self.raw

    @functools.cached_property
    def costs(self) -> CostReport:
        """What the run cost, in total and per agent, task and model (see :mod:`crewkit.costs`);
        priced on first read."""
        from crewkit.costs import cost_report

        return cost_report(self.calls)

    @property
    def pydantic(self) -> Any:
        """The last task's validated model instance, if it has ``output_pydantic``."""
        return self.tasks_output[-1].pydantic if self.tasks_output else None

    @property
    def json_dict(self) -> dict[str, Any] | None:
        """The last task's structured answer as a dict, if it has an output schema."""
        return self.tasks_output[-1].json_dict if self.tasks_output else None

    def __getitem__(self, key: str) -> Any:
        """A field of the last task's structured answer: ``output["score"]``."""
        model = self.pydantic
        if model is not None and key in type(model).model_fields:
            return getattr(model, key)
        data = self.json_dict
        if data is not None and key in data:
            return data[key]
        fields = sorted(data) if data is not None else []
        raise KeyError(
            f"{key!r}: the last task's answer has no such field"
            + (f" (fields: {', '.join(fields)})" if fields else " (it is not structured)")
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "raw": self.raw,
            "tasks_output": [t.to_dict() for t in self.tasks_output],
            "token_usage": self.token_usage.as_dict(),
            "usage_by_agent": {k: v.as_dict() for k, v in self.usage_by_agent.items()},
            "calls": sorted((c.to_dict() for c in self.calls), key=_call_order),
            "costs": self.costs.to_dict(),
        }


def _call_order(call: dict[str, Any]) -> tuple[str, ...]:
    """Calls in a fixed order (async tasks finish in any order): by task, agent, model, tokens."""
    return tuple(
        str(call[k]) for k in ("task", "agent", "label", "prompt_tokens", "completion_tokens")
    )
