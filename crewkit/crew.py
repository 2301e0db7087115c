"""Crew: a team of agents and the tasks they run. The definition is checked when it is made (see
:class:`CrewDefinition`); kickoff starts a run, which reads the definition and never imports this
module back."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from crewkit._crew_definition import (
    DEFAULT_MANAGER_ROLE,
    DEFAULT_MAX_DELEGATIONS,
    CrewDefinition,
    Process,
)
from crewkit.errors import ConfigurationError
from crewkit.task import CrewOutput

__all__ = [
    "DEFAULT_MANAGER_ROLE",
    "DEFAULT_MAX_DELEGATIONS",
    "Crew",
    "CrewOutput",
    "Process",
]


class Crew(CrewDefinition):
    """A team of agents working through tasks. The definition is checked here, so mistakes show up
    before any model is called; :meth:`kickoff` may then run it any number of times."""

    def kickoff(self, inputs: dict[str, Any] | None = None) -> CrewOutput:
        """Run the crew and return its output. Works inside a running event loop too (notebooks)."""
        from crewkit._run.runner import run_crew
        from crewkit._sync import run_sync

        return run_sync(functools.partial(run_crew, self, inputs))

    async def kickoff_async(self, inputs: dict[str, Any] | None = None) -> CrewOutput:
        """Run the crew on the current event loop."""
        from crewkit._run.runner import run_crew

        return await run_crew(self, inputs)

    def kickoff_for_each(self, inputs: Sequence[dict[str, Any]]) -> list[CrewOutput]:
        """Run the crew once per inputs dict, one after another; outputs in input order."""
        from crewkit._run.runner import run_crew_for_each
        from crewkit._sync import run_sync

        return run_sync(functools.partial(run_crew_for_each, self, inputs, concurrency=1))

    async def kickoff_for_each_async(
        self, inputs: Sequence[dict[str, Any]], *, concurrency: int = 4
    ) -> list[CrewOutput]:
        """Run the crew once per inputs dict, up to ``concurrency`` runs at a time; outputs in input
        order, each with its own usage. Runs share nothing but the definition and rate limits."""
        if not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigurationError(f"concurrency must be a positive integer, got {concurrency!r}")
        from crewkit._run.runner import run_crew_for_each

        return await run_crew_for_each(self, inputs, concurrency=concurrency)

    def __repr__(self) -> str:
        return f"Crew(name={self.name!r}, agents={len(self.agents)}, tasks={len(self.tasks)})"
