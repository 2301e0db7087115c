"""How soon a streamed run shows text on the local model (SmolLM2-135M through llama.cpp).

    python benchmarks/first_token.py [--runs 5]

For a one-task crew, the time from ``crew.stream()`` to the first piece of the reply, beside the
time to the whole reply: what a reader waits before the answer starts to appear, and what they
would wait without streaming. "Cold" includes loading the model (the first call in a process),
"warm" is the median of the following runs. A task with a tool is timed too: its first piece is
the tool call's arguments being written. Needs the local extra; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

from crewkit import Agent, Crew, Task, tool
from crewkit.events import ModelCallCompleted, ModelTextDelta, ToolCallDelta
from crewkit.llm import LocalLlama


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"The weather in {city} is sunny and 21 degrees Celsius."


def crew(llm: LocalLlama, *, with_tool: bool) -> Crew:
    agent = Agent(
        role="Writer" if not with_tool else "Weather reporter",
        goal="Answer in a few sentences" if not with_tool else "Report the weather you look up",
        backstory="You write plainly." if not with_tool else "You always check the weather tool.",
        tools=[get_weather] if with_tool else [],
        llm=llm,
        max_iter=3,
    )
    task = Task(
        "Describe a lighthouse at night." if not with_tool else "What is the weather in Paris?",
        "A short paragraph." if not with_tool else "One sentence about the weather in Paris.",
        agent=agent,
    )
    return Crew(agents=[agent], tasks=[task])


def timed(c: Crew) -> tuple[float, float, int]:
    """(seconds to the first piece, seconds to the first whole reply, pieces before it)."""
    started = time.perf_counter()
    first = whole = None
    pieces = 0
    for event in c.stream():
        if isinstance(event, (ModelTextDelta, ToolCallDelta)):
            pieces += whole is None
            first = first or time.perf_counter() - started
        elif isinstance(event, ModelCallCompleted) and whole is None:
            whole = time.perf_counter() - started
    assert first is not None and whole is not None
    return first, whole, pieces


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    llm = LocalLlama()
    print(f"local model {llm.label}, {llm.n_threads} threads")
    for with_tool in (False, True):
        c = crew(llm, with_tool=with_tool)
        cold = timed(c)
        warm = [timed(c) for _ in range(args.runs)]
        name = "tool task (first piece = the call)" if with_tool else "text task"
        first = statistics.median(w[0] for w in warm)
        whole = statistics.median(w[1] for w in warm)
        pieces = statistics.median(w[2] for w in warm)
        print(f"  {name}:")
        print(
            f"    cold: first piece {cold[0] * 1000:.0f} ms, whole first reply {cold[1] * 1000:.0f} ms"
        )
        print(
            f"    warm (median of {args.runs}): first piece {first * 1000:.0f} ms, whole first reply "
            f"{whole * 1000:.0f} ms ({pieces:.0f} pieces before it)"
        )


if __name__ == "__main__":
    main()
