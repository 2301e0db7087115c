"""CrewAI's project layout on crewkit: a ``@CrewBase`` class whose decorated methods build the crew
from ``config/agents.yaml`` and ``config/tasks.yaml``.

.. code-block:: python

    @CrewBase
    class Research:
        @agent
        def researcher(self) -> Agent:
            return Agent(config=self.agents_config["researcher"])

        @task
        def research_task(self) -> Task:
            return Task(config=self.tasks_config["research_task"])

        @crew
        def crew(self) -> Crew:
            return Crew(agents=self.agents, tasks=self.tasks)

Importing this module costs nothing: PyYAML is loaded when the first such class is instantiated.
"""

from crewkit.project._crew import crew
from crewkit.project._crew_base import CrewBase
from crewkit.project._decorators import (
    after_kickoff,
    agent,
    before_kickoff,
    callback,
    llm,
    output_json,
    output_pydantic,
    task,
    tool,
)

__all__ = [
    "CrewBase",
    "after_kickoff",
    "agent",
    "before_kickoff",
    "callback",
    "crew",
    "llm",
    "output_json",
    "output_pydantic",
    "task",
    "tool",
]
