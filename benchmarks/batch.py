"""Batch runs: throughput and peak memory by number of inputs, wall time against the ideal with a
slow model, and Ray against this process on a CPU-bound tool.

    python benchmarks/batch.py                 # all three (Ray part needs crewkit[ray])
    python benchmarks/batch.py rss|slow|ray    # one part
    python benchmarks/batch.py ray --row-seconds 0.1 1 --per-worker 1 4 --workers 2

The Ray part prints one line per row cost and rows per worker: wall time in this process, on Ray
with the cluster's workers starting (incl. start) and again once they run (warm), and the
speed-up of each. Rows are one CPU-bound tool call each, its cost calibrated on this machine.

Each memory figure comes from a fresh process (peak RSS is a high-water mark).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
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


def _hashes_per_second() -> float:
    """How many rounds of ``spin`` this machine does per second (best of three)."""
    rounds, best = 50_000, float("inf")
    for _ in range(3):
        started = time.perf_counter()
        spin.fn(rounds)
        best = min(best, time.perf_counter() - started)
    return rounds / best


def _cpu_crew(rounds: int) -> Crew:
    def reply(request: ModelRequest) -> object:
        if any(m.role == "tool" for m in request.messages):
            return "done"
        return call("spin", n=rounds)

    worker = Agent(role="Worker", goal="Crunch {ticker}", backstory="Brief.", tools=[spin])
    return Crew(agents=[worker], tasks=[Task("Crunch {ticker}.", "Done", agent=worker)],
                llm=FunctionLLM(reply))  # fmt: skip


def ray_vs_local(args: argparse.Namespace) -> None:
    """Each row runs one CPU-bound tool call; the same rows in this process and on Ray."""
    import ray

    rate = _hashes_per_second()
    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}})  # fmt: skip
    print(f"CPU-bound tool rows, Ray with {args.workers} workers vs this process "
          f"(cores: {os.cpu_count()})")  # fmt: skip
    print(f"  {'row cost':>8} {'per worker':>10} {'rows':>5} {'this process':>12} "
          f"{'Ray incl. start':>16} {'Ray warm':>14}")  # fmt: skip
    try:
        for seconds in args.row_seconds:
            for per_worker in args.per_worker:
                concurrency = args.workers * per_worker
                count = max(math.ceil(args.seconds / seconds), 3 * concurrency)
                crew = _cpu_crew(max(1, round(seconds * rate)))
                with tempfile.TemporaryDirectory() as tmp:
                    rows = Path(tmp) / "in.jsonl"
                    _rows(rows, count)
                    runs = [run_batch(crew, rows, Path(tmp) / "local.jsonl",
                                      concurrency=concurrency)]  # fmt: skip
                    for name in ("cold", "warm"):
                        runs.append(run_batch(
                            crew, rows, Path(tmp) / f"{name}.jsonl", concurrency=concurrency,
                            executor="ray", workers=args.workers, per_worker=per_worker,
                        ))  # fmt: skip
                if any(r.done != count for r in runs):
                    raise SystemExit(f"rows failed: {[r.failures[:1] for r in runs]}")
                local, cold, warm = (r.seconds for r in runs)
                print(f"  {seconds:>7g}s {per_worker:>10} {count:>5} {local:>11.2f}s "
                      f"{cold:>7.2f}s {local / cold:>5.2f}x {warm:>7.2f}s {local / warm:>4.2f}x")  # fmt: skip
    finally:
        ray.shutdown()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", metavar="rss|slow|ray", help="parts (default: all)")
    ray_part = parser.add_argument_group("ray")
    ray_part.add_argument("--workers", type=int, default=2, help="Ray workers (default 2)")
    ray_part.add_argument("--row-seconds", type=float, nargs="+", default=[0.1, 1.0],
                          help="CPU time of each row's tool (default 0.1 1)")  # fmt: skip
    ray_part.add_argument("--per-worker", type=int, nargs="+", default=[1, 4],
                          help="rows each worker runs at once (default 1 4)")  # fmt: skip
    ray_part.add_argument("--seconds", type=float, default=8.0,
                          help="CPU time of each batch, at least 3 rows per slot (default 8)")  # fmt: skip
    args = parser.parse_args()
    unknown = set(args.parts) - {"rss", "slow", "ray"}
    if unknown:
        parser.error(f"unknown part {sorted(unknown)[0]!r}: choose rss, slow or ray")
    return args


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_rss":
        rss_child(int(sys.argv[2]))
        sys.exit(0)
    arguments = _arguments()
    for part in arguments.parts or ["rss", "slow", "ray"]:
        if part == "ray":
            ray_vs_local(arguments)
        else:
            {"rss": rss, "slow": slow}[part]()
