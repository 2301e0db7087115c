"""Agent: who does the work. A definition only; runs keep their state elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crewkit._compat import crewai_arguments
from crewkit._numbers import is_positive, is_whole
from crewkit._text import is_text
from crewkit.errors import ConfigurationError
from crewkit.llm._base import LLM
from crewkit.llm._foreign import as_model
from crewkit.tools._accept import as_tool
from crewkit.tools._tool import Tool

if TYPE_CHECKING:
    from crewkit.knowledge import KnowledgeConfig, KnowledgeSource

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
    knowledge_sources: Sequence[KnowledgeSource] = ()
    """Documents only this agent consults (with the crew's): the passages most relevant to each of
    its tasks go into the task's prompt."""
    knowledge_config: KnowledgeConfig | None = None
    """How many passages this agent gets per task; ``None`` uses the crew's setting."""
    mcps: Sequence[Any] = ()
    """MCP servers whose tools this agent may use: a URL (``"http://host/mcp"``, or
    ``"...#tool_name"`` for one tool), ``{"command": ..., "args": [...]}``, ``{"url": ...}``, or
    :class:`~crewkit.mcp.MCPServerStdio` / :class:`~crewkit.mcp.MCPServerHTTP`. Each run starts them
    before its first model call and stops them at its end."""

    def __post_init__(self) -> None:
        for name in AGENT_TEXTS:
            value = getattr(self, name)
            if not is_text(value):
                raise ConfigurationError(
                    f"Agent.{name} must be a non-empty string, got {value!r}"
                    + (f" (agent {self.role!r})" if name != "role" else "")
                )
            setattr(self, name, value.strip())
        if isinstance(self.tools, (str, bytes)) or not isinstance(self.tools, Sequence):
            raise ConfigurationError(
                f"agent {self.role!r}: tools must be a list, got {self.tools!r}"
            )
        self.tools = [as_tool(t, f"agent {self.role!r}") for t in self.tools]
        if not is_whole(self.max_iter, 1):
            raise ConfigurationError(
                f"agent {self.role!r}: max_iter must be an integer of at least 1, got {self.max_iter!r}"
            )
        limit = self.max_execution_time
        if limit is not None and not is_positive(limit):
            raise ConfigurationError(
                f"agent {self.role!r}: max_execution_time must be a positive number of seconds "
                f"or None, got {limit!r}"
            )
        if self.max_rpm is not None and not is_whole(self.max_rpm, 1):
            raise ConfigurationError(
                f"agent {self.role!r}: max_rpm must be a positive integer or None, "
                f"got {self.max_rpm!r}"
            )
        self.llm = as_model(self.llm, f"agent {self.role!r}: llm")
        self.verbose = bool(self.verbose)  # CrewAI projects pass verbose=2
        owner = f"agent {self.role!r}"
        if self.knowledge_sources or self.knowledge_config is not None:
            from crewkit.knowledge._sources import check_config, check_sources

            self.knowledge_sources = check_sources(self.knowledge_sources, owner)
            check_config(self.knowledge_config, owner)
        if self.mcps:
            from crewkit.mcp._config import server_specs

            self.mcps = server_specs(self.mcps, owner)

    def __repr__(self) -> str:
        return f"Agent(role={self.role!r})"
