"""crewkit's own cost per kickoff: a 2-agent, 2-task crew with one tool call on an instant model.

    python benchmarks/kickoff_overhead.py [kickoffs]

Prints the median and p95 per kickoff and per task. The model answers instantly, so this is all
orchestration: prompt rendering, tool validation, events, usage accounting.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from crewkit import Agent, Crew, Task, tool
from crewkit.llm import LLM, ModelRequest, ModelResponse, ToolCall, Usage


@tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


class InstantLLM(LLM):
    """Calls the tool once if offered and not yet called, then answers; no per-call bookkeeping."""

    provider = "instant"

    async def complete(self, request: ModelRequest) -> ModelResponse:
        if request.tools and not any(m.role == "tool" for m in request.messages):
            return ModelResponse(
                tool_calls=(ToolCall("lookup", {"key": "k"}, "c1"),), usage=Usage(10, 2)
            )
        return ModelResponse(text="done", usage=Usage(12, 1))


def build() -> Crew:
    llm = InstantLLM()
    a = Agent(role="Researcher", goal="Find {topic}", backstory="Curious.", tools=[lookup])
    b = Agent(role="Writer", goal="Write about {topic}", backstory="Clear.")
    return Crew(
        agents=[a, b],
        tasks=[
            Task("Research {topic}", "facts", agent=a),
            Task("Write on {topic}", "text", agent=b),
        ],
        llm=llm,
    )


async def main(n: int) -> None:
    crew = build()
    for _ in range(50):  # warm up: template compilation, schema building
        await crew.kickoff_async({"topic": "tea"})
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await crew.kickoff_async({"topic": "tea"})
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"kickoff (2 agents, 2 tasks, 1 tool call, 3 model calls), {n} runs:")
    print(f"  median {median:.3f} ms, p95 {p95:.3f} ms per kickoff")
    print(f"  median {median / 2:.3f} ms per task (target <= 2 ms)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
