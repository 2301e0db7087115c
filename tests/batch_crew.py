"""A small crew for batch tests, importable by worker processes and Ray workers: its model answers
from the request alone, so every executor gives the same results."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time

from crewkit import Agent, Crew, Task, tool
from crewkit.llm import ModelRequest
from crewkit.testing import FunctionLLM


def answer(request: ModelRequest) -> str:
    """A reply that depends only on what was asked (and sleeps a little when told to)."""
    delay = float(os.environ.get("BATCH_TEST_DELAY", "0"))
    if delay:
        time.sleep(delay)
    asked = request.messages[-1].content or ""
    digest = hashlib.sha256(asked.encode()).hexdigest()[:8]
    return f"verdict {digest}"


@tool
def spin(n: int) -> int:
    """Burn the CPU for n rounds of hashing (a CPU-bound tool)."""
    value = b"x"
    for _ in range(n):
        value = hashlib.sha256(value).digest()
    return value[0]


def make_crew(max_rpm: int | None = None) -> Crew:
    """One analyst, one task over {ticker}."""
    analyst = Agent(role="Analyst", goal="Judge {ticker}", backstory="Brief.", max_rpm=max_rpm)
    task = Task("Give a verdict on {ticker}.", "One line", agent=analyst, name="verdict")
    return Crew(agents=[analyst], tasks=[task], llm=FunctionLLM(answer))


def write_rows(path: str, count: int, *, broken_every: int = 0) -> None:
    """``count`` rows; every ``broken_every``-th lacks its ticker (that row fails)."""
    with open(path, "w", encoding="utf-8") as file:
        for i in range(count):
            row = {"other": i} if broken_every and i % broken_every == 7 else {"ticker": f"T{i}"}
            file.write(json.dumps(row) + "\n")


if __name__ == "__main__":  # python tests/batch_crew.py IN OUT: the batch a kill test interrupts
    from crewkit.batch import run_batch

    summary = run_batch(make_crew(), sys.argv[1], sys.argv[2], concurrency=4)
    print(summary.done, summary.failed, summary.skipped)
