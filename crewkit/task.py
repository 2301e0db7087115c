"""Task: what is to be done, and TaskOutput: what came of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crewkit.agent import Agent
from crewkit.errors import ConfigurationError
from crewkit.llm._types import Usage


@dataclass(eq=False)
class Task:
    """A piece of work: what to do, what a good result looks like, and who does it.
    Placeholders like ``{topic}`` are filled from the kickoff inputs."""

    description: str
    """What to do."""
    expected_output: str
    """What a complete answer looks like."""
    agent: Agent | None = None
    """Who does it; required in a sequential crew, a preference in a hierarchical one."""
    context: Sequence[Task] | None = None
    """Tasks whose outputs this one receives; ``None`` means all earlier tasks, ``[]`` none."""
    name: str | None = None
    """A short name used in outputs, events and context labels."""

    def __post_init__(self) -> None:
        for attr in ("description", "expected_output"):
            value = getattr(self, attr)
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(
                    f"Task.{attr} must be a non-empty string, got {value!r}{self._where()}"
                )
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
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise ConfigurationError(f"Task.name must be a non-empty string, got {self.name!r}")

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
    plan: str | None = None
    """The step plan the task was given (``Crew(planning=True)``)."""

    def __str__(self) -> str:
        return self.raw

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "name": self.name,
            "description": self.description,
            "agent": self.agent,
            "raw": self.raw,
            "forced": self.forced,
            "plan": self.plan,
            "token_usage": self.token_usage.as_dict(),
        }
