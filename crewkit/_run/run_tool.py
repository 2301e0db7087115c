"""Tools that belong to a run rather than to a definition (delegation): they are built per run and
receive the run and the scope of their own call, so work they start nests under that call.

User tools keep the plain ``Tool.arun(**kwargs)`` contract; only crewkit's own run tools use this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crewkit._run.state import Run, Scope
from crewkit.errors import ConfigurationError
from crewkit.tools._tool import Tool


@dataclass(frozen=True)
class Refusal:
    """A run tool's answer that closes the agent's tool use: the agent reads ``text`` and is then
    asked for its final answer (a loop guard tripped)."""

    text: str


class RunTool(Tool):
    """A tool that needs its run. The toolbox calls :meth:`arun_in` with the run and a scope whose
    ``parent`` is this call's span. Repeated calls are not short-circuited by the toolbox: a run tool
    decides itself what a repeat means."""

    async def arun_in(self, run: Run, scope: Scope, **kwargs: Any) -> str | Refusal:
        """Do the work inside ``run``; return the observation text, or a :class:`Refusal`."""
        raise NotImplementedError

    async def arun(self, **kwargs: Any) -> Any:
        raise ConfigurationError(f"tool {self.name!r} only works inside a crew run")
