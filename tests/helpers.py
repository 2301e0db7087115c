"""Small builders shared by tests."""

from __future__ import annotations

import asyncio

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


class FakeClock:
    """The rate limiter's time, standing still: each wait it asks for is recorded in ``waits``
    instead of slept, so a test asserts which call waited for which slot, never how long the
    machine took (see the ``fake_clock`` fixture)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.waits.append(delay)
        await asyncio.sleep(0)
