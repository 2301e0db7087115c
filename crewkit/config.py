"""Crews from YAML: crewkit's ``crew.yaml``, or CrewAI's ``agents.yaml`` + ``tasks.yaml`` as they are.

A crew file maps onto the constructor fields of :class:`~crewkit.Agent`, :class:`~crewkit.Task` and
:class:`~crewkit.Crew` (read from the classes themselves, so every field Python accepts, YAML accepts):

.. code-block:: yaml

    llm: mock                      # default model for agents that name none
    inputs: {topic: AI agents}     # defaults for {placeholders}
    agents:
      researcher:
        role: Researcher
        goal: Find facts about {topic}
        backstory: Careful and quick.
        tools: [tools:word_count]  # built-in names, or module:attr next to this file
    tasks:
      research:
        description: Research {topic}.
        expected_output: Five bullet points.
        agent: researcher
        context: []                # task keys; omit for "all earlier tasks"

Files are parsed with PyYAML's safe loader (no object construction). Every problem found — bad YAML,
wrong types, unknown fields, unknown agent, task or tool names, context cycles — is collected and raised
together in one :class:`~crewkit.errors.CrewFileError`, each with file, line and field path.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from crewkit.errors import ConfigProblem, ConfigurationError, CrewFileError

if TYPE_CHECKING:
    from pathlib import Path

    from crewkit.crew import Crew

__all__ = ["ConfigProblem", "CrewFileError", "load_crew"]

PathLike = str | os.PathLike[str]


def load_crew(
    path: PathLike | None = None,
    *,
    agents: PathLike | None = None,
    tasks: PathLike | None = None,
    assign: str | None = None,
    model: str | None = None,
    allow_unsafe_callables: bool = False,
) -> Crew:
    """Build a :class:`~crewkit.Crew` from ``crew.yaml`` (``load_crew("crew.yaml")``) or from CrewAI's
    two files (``load_crew(agents="agents.yaml", tasks="tasks.yaml")``).

    ``assign="in-order"`` gives each task without ``agent:`` the agent at the same position (CrewAI
    projects assign agents in Python, so their tasks.yaml may name none); without it such a task is an
    error that says so. ``model`` replaces every model named in the files and becomes the crew's default.

    A crew file may name functions as tools, guardrails and callbacks, and the Python files next to
    it are imported: treat a crew folder as code. Standard-library functions that run programs or
    code or touch the system (``os:system``, ``builtins:eval``, ``subprocess:run``...) are refused
    unless ``allow_unsafe_callables=True``.
    """
    crew_file, agents_file, tasks_file = _files(path, agents, tasks)
    return _load(
        crew_file, agents_file, tasks_file, assign=assign, model=model,
        allow_unsafe_callables=allow_unsafe_callables,
    )  # fmt: skip


def _files(
    path: PathLike | None, agents: PathLike | None, tasks: PathLike | None
) -> tuple[Path | None, Path | None, Path | None]:
    from pathlib import Path

    if path is not None and (agents is not None or tasks is not None):
        raise ConfigurationError(
            "load_crew takes either a crew file or agents= and tasks=, not both"
        )
    if path is None:
        if agents is None or tasks is None:
            raise ConfigurationError(
                "load_crew needs a crew file, e.g. load_crew('crew.yaml'), or both CrewAI files: "
                "load_crew(agents='agents.yaml', tasks='tasks.yaml')"
            )
        return None, Path(agents), Path(tasks)
    return Path(path), None, None


def _load(
    crew_file: Path | None,
    agents_file: Path | None,
    tasks_file: Path | None,
    **options: Any,
) -> Crew:
    """The loader behind :func:`load_crew` and the CLI, which also checks placeholders and models;
    ``options`` are the fields of :class:`crewkit._config._build.LoadOptions`."""
    from crewkit._config._build import LoadOptions, load

    return load(crew_file, agents_file, tasks_file, LoadOptions(**options))
