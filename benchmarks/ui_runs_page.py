"""Server time of `crewkit ui` pages over a journal of 10,000 runs (target: runs page < 300 ms).

One real run of the research example on the mock model is journaled, then copied through the
Journal API under new ids (crews and statuses varied) until the journal holds N runs: every 20th
copy with all its steps, the others as a run with one model step (the runs page reads only the
runs table; whole copies keep the entries table realistic). Each
page is then requested in-process through the ASGI app (routing, SQLite, templates; no network)
and timed. Prints median, p95 and max per page.

Then: the journal's append latency (p50/p99 per step) for a run being written, alone and while a
`crewkit ui` in another process follows that run's live stream (SSE) — reading must not slow writing.

python benchmarks/ui_runs_page.py [runs=10000] [requests=30]
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples/research/crew.yaml"
CREWS = ("research", "stock_risk", "triage", "support")
STATUSES = ("completed",) * 8 + ("failed", "waiting")


def real_run(path: Path) -> str:
    """Journal one kickoff of the research example on the mock model; returns its run id."""
    from crewkit.config import load_crew
    from crewkit.journal import Journal

    crew = dataclasses.replace(load_crew(EXAMPLE, model="mock"), durable=Journal(path))
    return str(crew.kickoff(inputs={"input": "tides"}).run_id)


def copy_runs(path: Path, template: str, count: int) -> None:
    """``count`` more runs shaped like ``template``, written through the Journal API."""
    from crewkit.journal import Journal
    from crewkit.llm._types import Usage

    journal = Journal(path)
    record = journal.require(template)
    entries = [e for e in journal.entries(template) if e.kind not in ("run_started", "run_ended")]
    blobs = journal.blobs(template, [h for e in entries if e.kind == "model"
                                     for h in e.data.get("request", {}).get("messages", [])])  # fmt: skip
    import json

    texts = {h: json.dumps(v) for h, v in blobs.items()}
    for index in range(count):
        run_id = f"bench-{index:06d}"
        journal.begin_run(run_id, crew=CREWS[index % len(CREWS)], fingerprint=record.fingerprint,
                          definition=record.definition, inputs={"input": f"topic {index}"},
                          tasks_total=record.tasks_total, source=record.source)  # fmt: skip
        for entry in entries if index % 20 == 0 else [e for e in entries if e.kind == "model"][:1]:
            usage = None
            if entry.kind == "model":
                found = entry.data.get("usage") or {}
                usage = Usage(int(found.get("prompt", 0)), int(found.get("completion", 0)))
            journal.append(run_id, entry.kind, entry.data, span=entry.span, parent=entry.parent,
                           task=entry.task, agent=entry.agent, key=entry.key,
                           blobs=texts if entry.kind == "model" else None, usage=usage)  # fmt: skip
        status = STATUSES[index % len(STATUSES)]
        if status == "completed":
            journal.finish(run_id, "completed", output=record.output)
        else:
            journal.finish(run_id, status, error="RuntimeError: example failure" if status ==
                           "failed" else None)  # fmt: skip
    journal.close()


async def time_pages(path: Path, requests: int) -> list[tuple[str, list[float]]]:
    import httpx

    from crewkit.journal import Journal
    from crewkit.ui import create_app

    app = create_app(path, resume="none")
    page100 = Journal(path, readonly=True).runs(limit=50 * 100)[-1]
    pages = [
        ("/runs (newest 50)", "/runs"),
        ("/runs?status=failed", "/runs?status=failed"),
        ("/runs?crew=triage", "/runs?crew=triage"),
        ("/runs page 101 (cursor)", f"/runs?before={page100.started!r}~{page100.id}"),
        ("/runs/ID (run page)", "/runs/bench-000000"),
        ("/runs/ID/tree", "/runs/bench-000000/tree"),
    ]
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    results = []
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8765") as client:
        for name, url in pages:
            times = []
            for _ in range(requests + 2):
                start = time.perf_counter()
                reply = await client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                assert reply.status_code == 200, (url, reply.status_code)
            results.append((name, times[2:]))  # the first two warm caches
    return results


FOLLOWER = """
import sys, threading, time, urllib.request
from crewkit.ui._serve import serve_in_thread
running = serve_in_thread(sys.argv[1], resume="none", poll=0.05)
stream = urllib.request.urlopen(running.url + "/runs/" + sys.argv[2] + "/events", timeout=60)
print("following", flush=True)
for line in stream:  # read every frame as it comes
    if line.startswith(b"event: end"):
        break
"""


def append_latency(path: Path, follow: bool, steps: int = 1500) -> tuple[float, float]:
    """p50 and p99 (ms) of appending a model-sized step to a running run."""
    import subprocess

    from crewkit.journal import Journal
    from crewkit.llm._types import Usage

    journal = Journal(path)
    run_id = f"append-{'followed' if follow else 'alone'}"
    journal.begin_run(run_id, crew="bench", fingerprint="f", definition={}, inputs={},
                      tasks_total=1)  # fmt: skip
    follower = None
    if follow:
        follower = subprocess.Popen([sys.executable, "-c", FOLLOWER, str(path), run_id],
                                    stdout=subprocess.PIPE)  # fmt: skip
        assert follower.stdout is not None and follower.stdout.readline().strip() == b"following"
    data = {"model": "mock/mock", "response": {"text": "x" * 400}, "usage": {"prompt": 200,
            "completion": 100}}  # fmt: skip
    times = []
    for step in range(steps):
        start = time.perf_counter()
        journal.append(run_id, "model", data, span=f"s{step}", usage=Usage(200, 100))
        times.append((time.perf_counter() - start) * 1000)
        time.sleep(0.001)
    journal.finish(run_id, "completed", output={"raw": "done"})
    if follower is not None:
        follower.wait(60)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "runs.db"
        start = time.perf_counter()
        template = real_run(path)
        copy_runs(path, template, count - 1)
        print(f"journal: {count} runs written in {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 1e6:.1f} MB)")  # fmt: skip
        for name, times in asyncio.run(time_pages(path, requests)):
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"{name:<26} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
                  f"max {max(times):7.1f} ms")  # fmt: skip
        print("target: runs page < 300 ms server time")
        for follow in (False, True):
            p50, p99 = append_latency(path, follow)
            who = "while a UI follows it" if follow else "alone"
            print(f"journal append {who:<22} p50 {p50:.3f} ms   p99 {p99:.3f} ms")


if __name__ == "__main__":
    main()
