"""Agent: who does the work. A definition only; runs keep their state elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crewkit._compat import crewai_arguments
from crewkit._numbers import is_positive, is_whole
from crewkit.errors import ConfigurationError
from crewkit.llm._base import LLM
from crewkit.llm._foreign import as_model
from crewkit.tools._accept import as_tool
from crewkit.tools._tool import Tool

AGENT_TEXTS = ("role", "goal", "backstory")
"""The agent's texts: required, and filled from the kickoff inputs."""


@crewai_arguments
@dataclass(eq=False)
class Agent:
    """A team member: a role with a goal and a backstory, the tools it may use and the model it
    thinks with. Placeholders like ``{topic}`` in the texts are filled from the kickoff inputs.

    ``Agent(config={...})`` takes the settings as a dict (an entry of CrewAI's agents.yaml);
    keyword arguments win over it. Surrounding whitespace of the texts is dropped."""

    role: str
    """What the agent is, e.g. "Senior Data Analyst"; also how coworkers address it."""
    goal: str
    """What the agent is trying to achieve."""
    backstory: str
    """Who the agent is; shapes its voice and judgement."""
    tools: Sequence[Tool | Any] = field(default_factory=list)
    """Tools the agent may call (:class:`Tool` objects or ``@tool`` functions)."""
    llm: LLM | str | None = None
    """A model object or model string; ``None`` uses the crew's model."""
    allow_delegation: bool = False
    """Whether the agent may hand work to, or ask questions of, its coworkers."""
    max_iter: int = 20
    """Model calls the agent may make on one task before it must give its best final answer."""
    verbose: bool = False
    """Show this agent's steps as they happen."""
    max_execution_time: float | None = None
    """Seconds the agent may work on one task (retries included) before :class:`AgentTimeoutError`."""
    max_rpm: int | None = None
    """Model requests per minute this agent may make, across all runs and concurrent tasks."""

    def __post_init__(self) -> None:
        for name in AGENT_TEXTS:
            value = getattr(self, name)
            if isinstance(value, str):
                value = value.strip()
                setattr(self, name, value)
            if not isinstance(value, str) or not value:
                raise ConfigurationError(
                    f"Agent.{name} must be a non-empty string, got {value!r}"
                    + (f" (agent {self.role!r})" if name != "role" else "")
                )
        if isinstance(self.tools, (str, bytes)) or not isinstance(self.tools, Sequence):
            raise ConfigurationError(
                f"agent {self.role!r}: tools must be a list, got {self.tools!r}"
            )
        self.tools = [as_tool(t, f"agent {self.role!r}") for t in self.tools]
        if not is_whole(self.max_iter, 1):
            raise ConfigurationError(
                f"agent {self.role!r}: max_iter must be an integer of at least 1, got {self.max_iter!r}"
            )
        for attr in ("max_execution_time", "max_rpm"):
            value = getattr(self, attr)
            if value is not None and not is_positive(value):
                raise ConfigurationError(
                    f"agent {self.role!r}: {attr} must be a positive number or None, got {value!r}"
                )
        self.llm = as_model(self.llm, f"agent {self.role!r}: llm")
        self.verbose = bool(self.verbose)  # CrewAI projects pass verbose=2

    def __repr__(self) -> str:
        return f"Agent(role={self.role!r})"
