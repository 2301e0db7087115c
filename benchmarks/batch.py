"""Batch runs: throughput and peak memory by number of inputs, wall time against the ideal with a
slow model, and Ray against this process on a CPU-bound tool.

    python benchmarks/batch.py                 # all three (Ray part needs crewkit[ray])
    python benchmarks/batch.py rss|slow|ray    # one part

Each memory figure comes from a fresh process (peak RSS is a high-water mark).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crewkit import Agent, Crew, Task, tool  # noqa: E402
from crewkit.batch import run_batch  # noqa: E402
from crewkit.llm import ModelRequest  # noqa: E402
from crewkit.testing import FunctionLLM, call  # noqa: E402


def _rows(path: Path, count: int) -> None:
    with path.open("w") as file:
        for i in range(count):
            file.write(json.dumps({"ticker": f"T{i}"}) + "\n")


def _mock_crew() -> Crew:
    analyst = Agent(role="Analyst", goal="Judge {ticker}", backstory="Brief.")
    return Crew(agents=[analyst], tasks=[Task("Verdict on {ticker}.", "One line", agent=analyst)],
                llm="mock")  # fmt: skip


def rss_child(count: int) -> None:
    """Run one batch of ``count`` rows and print rows/s and peak RSS (MB) as JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        rows, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        _rows(rows, count)
        started = time.perf_counter()
        summary = run_batch(_mock_crew(), rows, out, concurrency=64)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": count, "done": summary.done, "seconds": seconds, "peak_mb": peak}))


def rss() -> None:
    print("mock model, concurrency 64, one process per size")
    for count in (100, 1_000, 10_000):
        out = subprocess.run([sys.executable, __file__, "_rss", str(count)], capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
        r = json.loads(out)
        print(f"  {r['rows']:>6} rows: {r['rows'] / r['seconds']:7.0f} rows/s, "
              f"peak RSS {r['peak_mb']:6.1f} MB ({r['done']} done)")  # fmt: skip


def slow() -> None:
    async def answer(request: ModelRequest) -> str:
        await asyncio.sleep(0.2)
        return "verdict"

    analyst = Agent(role="Analyst", goal="Judge {ticker}", backstory="Brief.")
    crew = Crew(agents=[analyst], tasks=[Task("Verdict on {ticker}.", "One line", agent=analyst)],
                llm=FunctionLLM(answer))  # fmt: skip
    count, concurrency = 640, 64
    with tempfile.TemporaryDirectory() as tmp:
        rows = Path(tmp) / "in.jsonl"
        _rows(rows, count)
        summary = run_batch(crew, rows, Path(tmp) / "out.jsonl", concurrency=concurrency)
    ideal = count / concurrency * 0.2
    print(f"200 ms model, {count} rows, concurrency {concurrency}: {summary.seconds:.2f} s "
          f"(ideal {ideal:.2f} s, ratio {summary.seconds / ideal:.2f})")  # fmt: skip


@tool
def spin(n: int) -> int:
    """Hash n times (CPU-bound)."""
    import hashlib

    value = b"x"
    for _ in range(n):
        value = hashlib.sha256(value).digest()
    return value[0]


def _cpu_reply(request: ModelRequest) -> object:
    if any(m.role == "tool" for m in request.messages):
        return "done"
    return call("spin", n=300_000)


def _cpu_crew() -> Crew:
    worker = Agent(role="Worker", goal="Crunch {ticker}", backstory="Brief.", tools=[spin])
    return Crew(agents=[worker], tasks=[Task("Crunch {ticker}.", "Done", agent=worker)],
                llm=FunctionLLM(_cpu_reply))  # fmt: skip


def ray_vs_local() -> None:
    import ray

    count = 40
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})  # fmt: skip
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = Path(tmp) / "in.jsonl"
            _rows(rows, count)
            local = run_batch(_cpu_crew(), rows, Path(tmp) / "a.jsonl", concurrency=8)
            remote = run_batch(_cpu_crew(), rows, Path(tmp) / "b.jsonl", concurrency=8,
                               executor="ray", workers=2)  # fmt: skip
            warm = run_batch(_cpu_crew(), rows, Path(tmp) / "c.jsonl", concurrency=8,
                             executor="ray", workers=2)  # fmt: skip
    finally:
        ray.shutdown()
    print(f"CPU-bound tool, {count} rows: this process {local.seconds:.2f} s, Ray 2 workers "
          f"{remote.seconds:.2f} s incl. start ({local.seconds / remote.seconds:.2f}x), "
          f"{warm.seconds:.2f} s warm ({local.seconds / warm.seconds:.2f}x)")  # fmt: skip
    print(f"  (cores: {os.cpu_count()}; done {local.done}/{remote.done}/{warm.done})")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_rss":
        rss_child(int(sys.argv[2]))
        sys.exit(0)
    parts = sys.argv[1:] or ["rss", "slow", "ray"]
    for part in parts:
        {"rss": rss, "slow": slow, "ray": ray_vs_local}[part]()
