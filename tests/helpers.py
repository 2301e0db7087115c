"""Small builders shared by tests."""

from __future__ import annotations

from crewkit import Agent, Crew, Task
from crewkit.llm import LLM


def one_task_crew(llm: LLM | str, *, tools: list[object] | None = None, max_iter: int = 20) -> Crew:
    """A crew of one agent and one task."""
    agent = Agent(
        role="Analyst",
        goal="Answer precisely",
        backstory="You are careful.",
        tools=tools or [],
        max_iter=max_iter,
    )
    task = Task(description="What is 2 + 3?", expected_output="A number", agent=agent, name="sum")
    return Crew(agents=[agent], tasks=[task], llm=llm)
