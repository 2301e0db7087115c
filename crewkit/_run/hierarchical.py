"""The hierarchical process (a manager delegating to the crew); filled in by the hierarchical issue."""

from __future__ import annotations

from crewkit._run.plan import Plan
from crewkit._run.state import Run
from crewkit.crew import Crew
from crewkit.errors import ConfigurationError
from crewkit.task import TaskOutput


async def run_hierarchical(run: Run, crew: Crew, plan: Plan, parent: str) -> list[TaskOutput]:
    raise ConfigurationError("the hierarchical process is not available yet")
