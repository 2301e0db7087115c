"""Crew: a team of agents and the tasks they run. The definition is checked when it is made (see
:class:`CrewDefinition`); kickoff starts a run, which reads the definition and never imports this
module back."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import crewkit.task
from crewkit._crew_definition import (
    DEFAULT_MANAGER_ROLE,
    DEFAULT_MAX_DELEGATIONS,
    CrewDefinition,
    Process,
)
from crewkit.agent import Agent
from crewkit.errors import ConfigurationError
from crewkit.llm._base import LLM
from crewkit.llm._types import Usage
from crewkit.task import CrewOutput, Task, TaskOutput

if TYPE_CHECKING:
    from crewkit._scoring import CrewTestResult

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

    def replay(
        self,
        task_id: str | int,
        run_id: str | None = None,
        *,
        inputs: dict[str, Any] | None = None,
    ) -> CrewOutput:
        """Run again from one task (its name or label, or its 0-based index): the tasks before it
        keep their outputs from run ``run_id`` (the crew's latest journaled run by default) — or,
        for a crew that is not durable, from its last kickoff in this process. A new run with the
        earlier run's inputs unless ``inputs`` are given; the old one is left as it was."""
        from crewkit._run.resuming import replay_run
        from crewkit._sync import run_sync

        return run_sync(functools.partial(replay_run, self, task_id, run_id, inputs))

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

    @property
    def usage_metrics(self) -> Usage | None:
        """Tokens and requests of this crew's last kickoff in this process (``None`` before one)."""
        from crewkit._run.history import last_kickoff

        last = last_kickoff(self)
        return last.usage if last is not None else None

    def copy(self) -> Crew:
        """A new crew of new agents and tasks with the same settings (task agents and contexts
        point at the copies). Runs never change a definition; copies are for changing one."""
        return self._copied()

    def _copied(self, **task_changes: Any) -> Crew:
        agents = {id(a): dataclasses.replace(a) for a in self.agents}
        tasks: dict[int, Task] = {}
        for task in self.tasks:
            tasks[id(task)] = dataclasses.replace(
                task,
                agent=agents.get(id(task.agent), task.agent),
                context=None if task.context is None else [tasks[id(c)] for c in task.context],
                **task_changes,
            )
        manager = self.manager_agent
        return dataclasses.replace(
            self,
            agents=list(agents.values()),
            tasks=list(tasks.values()),
            manager_agent=None if manager is None else dataclasses.replace(manager),
        )

    def test(
        self,
        n_iterations: int = 1,
        eval_llm: LLM | str | None = None,
        inputs: dict[str, Any] | None = None,
        *,
        openai_model_name: str | None = None,
    ) -> CrewTestResult:
        """Run the crew ``n_iterations`` times and have ``eval_llm`` (default: the crew's model)
        score every task's answer from 1 to 10; prints the scores and returns them.
        ``openai_model_name`` is CrewAI's older name for ``eval_llm``."""
        from crewkit._scoring import test_crew

        return test_crew(self, Crew, n_iterations, eval_llm or openai_model_name, inputs)

    def train(
        self,
        n_iterations: int = 1,
        filename: str = "trained_agents_data.json",
        inputs: dict[str, Any] | None = None,
    ) -> None:
        """Run the crew ``n_iterations`` times with a person (``ask_human``, else the console)
        reviewing every answer; feedback sends the agent back at once and becomes an instruction
        for that agent in later runs. What it learnt is saved to ``filename`` as JSON; give it to
        ``Crew(trained_agents_file=...)`` to apply it to later kickoffs."""
        from crewkit._training import Training

        if not isinstance(n_iterations, int) or isinstance(n_iterations, bool) or n_iterations < 1:
            raise ConfigurationError(
                f"n_iterations must be a positive integer, got {n_iterations!r}"
            )
        training = Training(filename)
        for _ in range(n_iterations):
            training.save()  # what earlier runs learnt applies to this one
            trainee = dataclasses.replace(
                self._copied(human_input=True),
                ask_human=training.reviewer(self.ask_human),
                trained_agents_file=str(training.path),
            )
            trainee.kickoff(inputs=inputs)
        training.save()

    def __repr__(self) -> str:
        return f"Crew(name={self.name!r}, agents={len(self.agents)}, tasks={len(self.tasks)})"


def _run_alone(
    task: Task, agent: Agent | None, context: str | None, tools: Sequence[Any] | None
) -> TaskOutput:
    """:meth:`Task.execute_sync`: the task as a one-agent, one-task crew."""
    worker = agent or task.agent
    if worker is None:
        raise ConfigurationError(f"{task!r} has no agent to execute it: pass agent=...")
    description = task.description + (f"\n\nContext:\n{context}" if context else "")
    alone = dataclasses.replace(
        task,
        agent=worker,
        context=[],
        description=description,
        tools=list(tools) if tools is not None else task.tools,
    )
    return Crew(agents=[worker], tasks=[alone], name=task.name or "task").kickoff().tasks_output[0]


crewkit.task._run_alone = _run_alone
