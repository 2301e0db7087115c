"""``Crew.test``: run a crew several times and have a judge model score every task's answer from 1
to 10, then show the scores per task and run. The judge is an ordinary one-task crew with a
structured output, so its calls are counted, limited and recorded like any other."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from crewkit import prompts
from crewkit.agent import Agent
from crewkit.llm._base import LLM
from crewkit.task import CrewOutput, Task, TaskOutput


class Runnable(Protocol):
    """What scoring and training need of a crew (the crew module is above them)."""

    name: str
    llm: LLM | str | None

    def copy(self) -> Runnable: ...

    def kickoff(self, inputs: dict[str, Any] | None = None) -> CrewOutput: ...


CrewMaker = Callable[..., Runnable]
"""Builds a crew from keyword arguments (``Crew`` itself)."""

JUDGE_ROLE = "Task Judge"
"""The judge's role, as it appears in usage and events."""


@dataclass
class CrewTestResult:
    """Scores of :meth:`Crew.test <crewkit.Crew.test>`: per task, one score per run."""

    scores: dict[str, list[float]] = field(default_factory=dict)
    """Task name → its score in each run, in run order."""
    agents: dict[str, str] = field(default_factory=dict)
    """Task name → the role of the agent that answered it."""

    @property
    def averages(self) -> dict[str, float]:
        """Task name → its mean score."""
        return {name: sum(s) / len(s) for name, s in self.scores.items() if s}

    @property
    def run_averages(self) -> list[float]:
        """The mean score of all tasks in each run."""
        runs = max((len(s) for s in self.scores.values()), default=0)
        columns = [[s[i] for s in self.scores.values() if i < len(s)] for i in range(runs)]
        return [sum(c) / len(c) for c in columns if c]


def test_crew(
    crew: Runnable,
    make_crew: CrewMaker,
    n_iterations: int,
    judge_llm: LLM | str | None,
    inputs: dict[str, Any] | None,
) -> CrewTestResult:
    """Run ``crew`` ``n_iterations`` times and score every task output with ``judge_llm``."""
    from crewkit.errors import ConfigurationError

    if not isinstance(n_iterations, int) or isinstance(n_iterations, bool) or n_iterations < 1:
        raise ConfigurationError(f"n_iterations must be a positive integer, got {n_iterations!r}")
    result = CrewTestResult()
    for _ in range(n_iterations):
        output = crew.copy().kickoff(inputs=inputs)
        for task_output in output.tasks_output:
            score = _score(crew, make_crew, task_output, judge_llm)
            result.scores.setdefault(task_output.name, []).append(score)
            result.agents[task_output.name] = task_output.agent
    _show(result)
    return result


def _score(
    crew: Runnable, make_crew: CrewMaker, output: TaskOutput, judge_llm: LLM | str | None
) -> float:
    from pydantic import BaseModel, Field

    class Score(BaseModel):
        score: float = Field(ge=1, le=10, description="1 useless ... 10 complete and correct")
        reason: str = Field(description="One sentence on why")

    judge = Agent(
        role=JUDGE_ROLE,
        goal="Score answers fairly against what was asked",
        backstory="You review work for a living and you justify every score.",
        llm=judge_llm if judge_llm is not None else crew.llm,
    )
    verdict = Task(
        description=prompts.render(
            "judge_task",
            description=output.description,
            expected_output=output.expected_output,
            agent=output.agent,
            answer=output.raw,
        ),
        expected_output="A score from 1 to 10 and one sentence on why.",
        agent=judge,
        output_pydantic=Score,
    )
    judged = make_crew(agents=[judge], tasks=[verdict], name=f"{crew.name} judge").kickoff()
    return float(judged.pydantic.score)


def _show(result: CrewTestResult) -> None:
    from rich.console import Console
    from rich.table import Table

    runs = len(result.run_averages)
    table = Table(title="Task scores (1-10, higher is better)")
    table.add_column("Task")
    for i in range(runs):
        table.add_column(f"Run {i + 1}", justify="right")
    table.add_column("Avg.", justify="right")
    table.add_column("Agent")
    for name, scores in result.scores.items():
        cells = [f"{s:.1f}" for s in scores] + [""] * (runs - len(scores))
        table.add_row(name, *cells, f"{result.averages[name]:.1f}", result.agents[name])
    overall = result.run_averages
    mean = sum(overall) / len(overall) if overall else 0.0
    table.add_row("Crew", *(f"{s:.1f}" for s in overall), f"{mean:.1f}", "", style="bold")
    Console(file=sys.stdout).print(table)
