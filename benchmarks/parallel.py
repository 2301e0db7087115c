"""Concurrency: 8 independent async tasks on a model with 200 ms latency, and
kickoff_for_each_async over 100 inputs with concurrency 16.

    python benchmarks/parallel.py
"""

from __future__ import annotations

import asyncio
import time

from crewkit import Agent, Crew, Task
from crewkit.llm import ModelRequest
from crewkit.testing import FunctionLLM

LATENCY = 0.2


async def slow(request: ModelRequest) -> str:
    await asyncio.sleep(LATENCY)
    return "done"


def main() -> None:
    agent = Agent(role="Worker", goal="Work on {topic}", backstory="Fast.")
    tasks = [
        Task(f"Job {i} on {{topic}}", "x", agent=agent, async_execution=True) for i in range(8)
    ]
    crew = Crew(agents=[agent], tasks=tasks, llm=FunctionLLM(slow))
    crew.kickoff({"topic": "warm-up"})
    start = time.perf_counter()
    crew.kickoff({"topic": "tea"})
    wall = time.perf_counter() - start
    print(
        f"8 async tasks, {LATENCY * 1000:.0f} ms model: {wall * 1000:.0f} ms wall "
        f"(ideal {LATENCY * 1000:.0f} ms, sequential would be {8 * LATENCY * 1000:.0f} ms)"
    )

    single = Crew(
        agents=[agent], tasks=[Task("Job on {topic}", "x", agent=agent)], llm=FunctionLLM(slow)
    )
    inputs = [{"topic": f"t{i}"} for i in range(100)]
    start = time.perf_counter()
    outs = asyncio.run(single.kickoff_for_each_async(inputs, concurrency=16))
    wall = time.perf_counter() - start
    ideal = -(-100 // 16) * LATENCY
    print(
        f"kickoff_for_each_async, 100 inputs, concurrency 16: {wall * 1000:.0f} ms wall "
        f"(ideal {ideal * 1000:.0f} ms = 7 waves of {LATENCY * 1000:.0f} ms), "
        f"{sum(o.token_usage.requests for o in outs)} model calls"
    )


if __name__ == "__main__":
    main()
