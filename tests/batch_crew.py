"""A small crew for batch tests, importable by worker processes and Ray workers: its model answers
from the request alone, so every executor gives the same results."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time

from crewkit import Agent, Crew, Task, tool
from crewkit.llm import ModelRequest
from crewkit.testing import FunctionLLM


def answer(request: ModelRequest) -> str:
    """A reply that depends only on what was asked (and sleeps a little when told to: ten times
    as long for the second task, so a kill finds rows between their two calls). With
    ``BATCH_CALLS_LOG`` set, each call appends ``<row> <request digest> <pid> <start> <end>`` to
    that file."""
    asked = request.messages[-1].content or ""
    started = time.time()
    delay = float(os.environ.get("BATCH_TEST_DELAY", "0"))
    if delay:
        time.sleep(delay * (10 if asked.startswith("Summarize") else 1))
    digest = hashlib.sha256(asked.encode()).hexdigest()[:8]
    log = os.environ.get("BATCH_CALLS_LOG")
    if log:
        row = re.search(r"\bT(\d+)\b", asked)
        line = f"{row.group(1) if row else '?'} {digest} {os.getpid()} {started} {time.time()}\n"
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())  # one write with O_APPEND: whole lines from many processes
        finally:
            os.close(fd)
    return f"verdict {digest}"


@tool
def spin(n: int) -> int:
    """Burn the CPU for n rounds of hashing (a CPU-bound tool)."""
    value = b"x"
    for _ in range(n):
        value = hashlib.sha256(value).digest()
    return value[0]


def make_crew(max_rpm: int | None = None, *, steps: int = 1, durable: str | None = None) -> Crew:
    """One analyst, one task over {ticker} (``steps=2``: and a summary after it)."""
    analyst = Agent(role="Analyst", goal="Judge {ticker}", backstory="Brief.", max_rpm=max_rpm)
    tasks = [Task("Give a verdict on {ticker}.", "One line", agent=analyst, name="verdict")]
    if steps == 2:
        tasks.append(Task("Summarize the verdict on {ticker}.", "One line", agent=analyst,
                          name="summary", context=[tasks[0]]))  # fmt: skip
    return Crew(agents=[analyst], tasks=tasks, llm=FunctionLLM(answer), durable=durable)


def write_rows(path: str, count: int, *, broken_every: int = 0) -> None:
    """``count`` rows; every ``broken_every``-th lacks its ticker (that row fails)."""
    with open(path, "w", encoding="utf-8") as file:
        for i in range(count):
            row = {"other": i} if broken_every and i % broken_every == 7 else {"ticker": f"T{i}"}
            file.write(json.dumps(row) + "\n")


if __name__ == "__main__":  # python tests/batch_crew.py IN OUT [--journal F ...]: a batch to kill
    import argparse

    from crewkit.batch import run_batch

    parser = argparse.ArgumentParser()
    parser.add_argument("rows")
    parser.add_argument("out")
    parser.add_argument("--journal")
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--executor", default="local")
    parser.add_argument("--workers", type=int)
    args = parser.parse_args()
    crew = make_crew(steps=args.steps, durable=args.journal)
    summary = run_batch(crew, args.rows, args.out, concurrency=4, executor=args.executor,
                        workers=args.workers)  # fmt: skip
    print(summary.done, summary.failed, summary.skipped, summary.recovered)
