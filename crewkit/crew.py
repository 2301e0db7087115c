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

    def kickoff(
        self, inputs: dict[str, Any] | None = None, *, run_id: str | None = None
    ) -> CrewOutput:
        """Run the crew and return its output (``run_id`` names the run; a fresh id otherwise, on
        ``CrewOutput.run_id``). Works inside a running event loop too (notebooks)."""
        from crewkit._sync import run_sync

        return run_sync(functools.partial(self.kickoff_async, inputs, run_id=run_id))

    async def kickoff_async(
        self, inputs: dict[str, Any] | None = None, *, run_id: str | None = None
    ) -> CrewOutput:
        """Run the crew on the current event loop."""
        from crewkit._run.runner import RunOptions, run_crew

        return await run_crew(self, inputs, RunOptions(run_id=run_id))

    def resume(
        self,
        run_id: str,
        *,
        feedback: str | None = None,
        approve: bool = False,
        force: bool = False,
    ) -> CrewOutput:
        """Continue a journaled run (``durable`` crews): after a crash, a failure, or with a
        review's ``feedback``/``approve``. Every model response and tool result the journal holds
        is used again, not asked again; the run goes on live from the first step that has none.
        A changed definition is refused (:class:`~crewkit.errors.DefinitionChangedError`) unless
        ``force=True``, which reuses each step whose request still matches."""
        from crewkit._sync import run_sync

        return run_sync(
            functools.partial(
                self.resume_async, run_id, feedback=feedback, approve=approve, force=force
            )
        )

    async def resume_async(
        self,
        run_id: str,
        *,
        feedback: str | None = None,
        approve: bool = False,
        force: bool = False,
    ) -> CrewOutput:
        """:meth:`resume` on the current event loop."""
        from crewkit._run.resuming import resume_run

        return await resume_run(self, run_id, feedback=feedback, approve=approve, force=force)

    def replay(self, task_id: str | int, run_id: str | None = None) -> CrewOutput:
        """Run again from one task (its name or label, or its 0-based index): the tasks before it
        keep their outputs from run ``run_id`` (the crew's latest journaled run by default).
        A new run; the old one is left as it was."""
        from crewkit._run.resuming import replay_run
        from crewkit._sync import run_sync

        return run_sync(functools.partial(replay_run, self, task_id, run_id))

    def kickoff_for_each(
        self, inputs: Sequence[dict[str, Any]], *, batch_id: str | None = None
    ) -> list[CrewOutput]:
        """Run the crew once per inputs dict, one after another; outputs in input order. A durable
        crew journals them as batch ``batch_id``; running the same batch again finishes only
        what was left."""
        from crewkit._run.resuming import run_crew_for_each
        from crewkit._sync import run_sync

        return run_sync(
            functools.partial(run_crew_for_each, self, inputs, concurrency=1, batch_id=batch_id)
        )

    async def kickoff_for_each_async(
        self,
        inputs: Sequence[dict[str, Any]],
        *,
        concurrency: int = 4,
        batch_id: str | None = None,
    ) -> list[CrewOutput]:
        """Run the crew once per inputs dict, up to ``concurrency`` runs at a time; outputs in input
        order, each with its own usage. Runs share nothing but the definition and rate limits."""
        if not isinstance(concurrency, int) or concurrency < 1:
            raise ConfigurationError(f"concurrency must be a positive integer, got {concurrency!r}")
        from crewkit._run.resuming import run_crew_for_each

        return await run_crew_for_each(self, inputs, concurrency=concurrency, batch_id=batch_id)

    def __repr__(self) -> str:
        return f"Crew(name={self.name!r}, agents={len(self.agents)}, tasks={len(self.tasks)})"
