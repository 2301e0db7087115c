"""The hierarchical process (a manager delegating to the crew); filled in by the hierarchical issue."""

from __future__ import annotations

from crewkit._run.plan import Plan
from crewkit._run.scheduler import Executor
from crewkit._run.state import Run
from crewkit.crew import Crew
from crewkit.errors import ConfigurationError


def hierarchical_executor(run: Run, crew: Crew, plan: Plan, parent: str) -> Executor:
    """Execute every task with the manager, who delegates to the crew."""
    raise ConfigurationError("the hierarchical process is not available yet")
