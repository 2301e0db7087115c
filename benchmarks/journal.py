"""What the run journal costs: each write, and a whole kickoff with the journal on versus off.

    python benchmarks/journal.py [kickoffs]

1. Journal writes per step, as a durable run makes them: a model call (identify the request, write
   it as started, write its response) on a conversation growing to 12 messages of ~400 characters
   with 3 tools, and a tool call (identify, started, done). p50, p99 and mean over a few thousand.
2. The 2-agent, 2-task crew of kickoff_overhead.py on an instant model (3 model calls, 1 tool
   call per kickoff), durable off and on, interleaved; the difference per model call counts every
   journal write of the kickoff (run record, task and agent entries, the ending) against the three
   model calls. Target: <= 0.3 ms more per model call.
3. The same per extra model call: one agent making 1 or 21 model calls (and 20 tool calls) per
   kickoff; the slope is the journal's cost per model call with fixed per-kickoff costs aside.
4. Listing runs, as ``crewkit runs`` and the UI do, with 10,000 runs in the journal.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kickoff_overhead import build, lookup

from crewkit import Agent, Crew, Task
from crewkit._run.durable import RunJournal
from crewkit.journal import Journal
from crewkit.llm import LLM, Message, ModelRequest, ModelResponse, Usage
from crewkit.llm._types import ToolCall, ToolSpec


def _figures(samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = samples[len(samples) // 2]
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, mean {statistics.fmean(samples):.3f} ms"


def writes(folder: Path, steps: int) -> None:
    journal = Journal(folder / "writes.db")
    journal.begin_run("w", crew="bench", fingerprint="f", definition={}, inputs={}, tasks_total=1)
    run = RunJournal(journal, "w")
    tools = tuple(
        ToolSpec(f"tool{i}", "Does a thing. " * 5, {"type": "object", "properties": {"q": {}}})
        for i in range(3)
    )
    text = "A fairly ordinary sentence of a prompt or an observation. " * 7
    model_ms, tool_ms = [], []
    for step in range(steps):
        history = 2 + step % 11
        messages = tuple(
            Message("system" if i == 0 else "user", f"{text} {i} {step // 11}")
            for i in range(history)
        )
        request = ModelRequest(messages=messages, tools=tools)
        response = ModelResponse(text=text, usage=Usage(900, 60))
        where = {"span": f"w.{step}", "parent": "w.1", "task": "t", "agent": "a"}
        start = time.perf_counter()
        identified = run.model_step("bench/model", "t", "a", request)
        run.model_started(identified, "bench/model", **where)
        run.model_done(identified, "bench/model", response, 0.5, **where)
        model_ms.append((time.perf_counter() - start) * 1000)
        args = {"q": f"query {step}"}
        start = time.perf_counter()
        call = run.tool_step("t", "a", "tool0", args)
        run.tool_started(call, "tool0", args, **where)
        run.tool_done(call, "tool0", args, text, False, 0.01, **where)
        tool_ms.append((time.perf_counter() - start) * 1000)
    print(f"journal writes, {steps} steps of each kind:")
    print(f"  model call (hash request, started, response): {_figures(model_ms)}")
    print(f"  tool call (started, result):                  {_figures(tool_ms)}")
    size = sum(p.stat().st_size for p in folder.glob("writes.db*"))
    print(f"  file size after them: {size / 1e6:.1f} MB (messages stored once per run)")


async def kickoffs(folder: Path, n: int) -> None:
    plain, durable = build(), build()
    durable.durable, durable.journal = str(folder / "kickoffs.db"), Journal(folder / "kickoffs.db")
    for crew in (plain, durable):
        for _ in range(50):  # warm up: templates, schemas, the file
            await crew.kickoff_async({"topic": "tea"})
    wall: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(n):
        for crew, on in ((plain, False), (durable, True)):
            start, start_cpu = time.perf_counter(), time.process_time()
            await crew.kickoff_async({"topic": "tea"})
            wall[on].append((time.perf_counter() - start) * 1000)
            cpu[on].append((time.process_time() - start_cpu) * 1000)
    print(f"kickoff (2 agents, 2 tasks, 3 model calls, 1 tool call), {n} runs each, interleaved:")
    for name, samples in (("wall", wall), ("cpu", cpu)):
        off, on = statistics.median(samples[False]), statistics.median(samples[True])
        print(
            f"  {name}: journal off {off:.3f} ms, on {on:.3f} ms per kickoff: "
            f"{on - off:.3f} ms more, {(on - off) / 3:.3f} ms per model call (target <= 0.3 ms)"
        )
    print("  (cpu = this process's CPU time: what the journal costs when other programs also")
    print("   want the CPU; wall includes waiting for the CPU and the disk)")


class LoopingLLM(LLM):
    """Calls the ``lookup`` tool ``steps`` times, then answers: one agent, many model calls."""

    provider = "instant"

    def __init__(self, steps: int) -> None:
        self.steps = steps

    async def complete(self, request: ModelRequest) -> ModelResponse:
        done = sum(1 for m in request.messages if m.role == "tool")
        if done < self.steps:
            call = ToolCall("lookup", {"key": f"k{done}"}, f"c{done}")
            return ModelResponse(tool_calls=(call,), usage=Usage(10, 2))
        return ModelResponse(text="done", usage=Usage(12, 1))


def looping(steps: int, folder: Path | None) -> Crew:
    agent = Agent("Researcher", "Find {topic}", "Curious.", tools=[lookup], max_iter=steps + 2)
    task = Task("Research {topic}", "facts", agent=agent)
    crew = Crew(agents=[agent], tasks=[task], llm=LoopingLLM(steps))
    if folder is not None:
        crew.durable, crew.journal = str(folder / "loop.db"), Journal(folder / "loop.db")
    return crew


async def marginal(folder: Path, n: int) -> None:
    """The journal's cost per extra model call (with its tool call), fixed costs aside."""
    extra: dict[int, float] = {}
    for steps in (0, 20):
        plain, durable = looping(steps, None), looping(steps, folder)
        for crew in (plain, durable):
            for _ in range(20):
                await crew.kickoff_async({"topic": "tea"})
        cpu: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(n):
            for crew, on in ((plain, False), (durable, True)):
                start = time.process_time()
                await crew.kickoff_async({"topic": "tea"})
                cpu[on].append((time.process_time() - start) * 1000)
        extra[steps] = statistics.median(cpu[True]) - statistics.median(cpu[False])
    per_call = (extra[20] - extra[0]) / 20
    print(f"one agent, 1 and 21 model calls per kickoff (20 tool calls), {n} runs each:")
    print(f"  journal cpu per kickoff: {extra[0]:.3f} ms with 1 call, {extra[20]:.3f} ms with 21")
    print(f"  per extra model call and its tool call: {per_call:.3f} ms (target <= 0.3 ms)")


def listing(folder: Path, runs: int) -> None:
    journal = Journal(folder / "listing.db")
    for i in range(runs):
        journal.begin_run(f"r{i:05d}", crew=f"crew{i % 7}", fingerprint="f", definition={"n": i},
                          inputs={"ticker": f"T{i}"}, tasks_total=4)  # fmt: skip
        journal.finish(f"r{i:05d}", "completed" if i % 10 else "failed", output={"raw": "x" * 200})
    viewer = Journal(folder / "listing.db", readonly=True)
    pages, filtered = [], []
    for _ in range(50):
        start = time.perf_counter()
        page = viewer.runs(limit=50)
        viewer.runs(limit=50, before=(page[-1].started, page[-1].id))
        pages.append((time.perf_counter() - start) * 1000 / 2)
        start = time.perf_counter()
        viewer.runs(status="failed", crew="crew3", limit=50)
        filtered.append((time.perf_counter() - start) * 1000)
    print(f"listing with {runs:,} runs journaled:")
    print(f"  a page of 50 runs, newest first: {_figures(pages)}")
    print(f"  50 failed runs of one crew:      {_figures(filtered)}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        writes(folder, 3000)
        asyncio.run(kickoffs(folder, n))
        asyncio.run(marginal(folder, max(50, n // 5)))
        listing(folder, 10_000)


if __name__ == "__main__":
    main()
