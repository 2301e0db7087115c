"""crewkit's own cost per flow step: flows whose steps return at once, so all that is measured is
scheduling, trigger matching, events and (separately) @persist.

    python benchmarks/flow_overhead.py [kickoffs]

Prints the median and p95 per step for: a chain of 50 async steps, a chain of 50 sync steps (each
runs in a worker thread), a 20-wide fan-out joined by and_, the async chain with an event listener,
and journaled chains (@persist: each finished step is one entry in the run journal, written before
its listeners start; the kickoff's start and end are two more writes, spread over the steps), and
a resume that answers all 50 steps of a journaled chain from the journal. Target: <= 0.2 ms per
step.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

from crewkit.flow import Flow, and_, listen, persist, start

CHAIN = 50
WIDTH = 20


def _chain(length: int, *, is_async: bool, name: str) -> type[Flow[Any]]:
    namespace: dict[str, Any] = {}
    previous = None
    for index in range(length):
        if is_async:

            async def body(self: Any, value: Any = 0) -> Any:
                return value
        else:

            def body(self: Any, value: Any = 0) -> Any:
                return value

        fn = types.FunctionType(body.__code__, body.__globals__, f"s{index}", body.__defaults__)
        namespace[fn.__name__] = start()(fn) if previous is None else listen(previous)(fn)
        previous = fn
    cls: type[Flow[Any]] = type(name, (Flow,), namespace)
    cls.max_steps = length + 1
    return cls


def _fan_out(width: int) -> type[Flow[Any]]:
    async def begin(self: Any) -> int:
        return 1

    async def work(self: Any, value: int) -> int:
        return value

    async def join(self: Any, value: int) -> int:
        return value

    namespace: dict[str, Any] = {"begin": start()(begin)}
    names = []
    for index in range(width):
        fn = types.FunctionType(work.__code__, work.__globals__, f"w{index}")
        namespace[fn.__name__] = listen(begin)(fn)
        names.append(fn.__name__)
    namespace["join"] = listen(and_(*names))(join)
    return type("FanOut", (Flow,), namespace)


async def _measure(make: Any, steps: int, runs: int) -> tuple[float, float]:
    for _ in range(min(30, runs)):
        await make().kickoff_async()
    samples = []
    for _ in range(runs):
        flow = make()
        started = time.perf_counter()
        await flow.kickoff_async()
        samples.append((time.perf_counter() - started) / steps * 1e6)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


async def main(runs: int) -> None:
    async_chain = _chain(CHAIN, is_async=True, name="AsyncChain")
    sync_chain = _chain(CHAIN, is_async=False, name="SyncChain")
    fan_out = _fan_out(WIDTH)
    events: list[object] = []
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "runs.db")
        persisted = persist(store=db)(_chain(CHAIN, is_async=True, name="PersistedChain"))
        persisted_sync = persist(store=db)(_chain(CHAIN, is_async=False, name="PersistedSync"))
        done_ids: list[str] = []

        def journaled() -> Any:
            flow = persisted()
            done_ids.append(flow.flow_id)
            return flow

        finished = persisted()
        await finished.kickoff_async()
        crashed = _crashed_run(persisted, db)
        cases = [
            (f"async chain of {CHAIN}", lambda: async_chain(), CHAIN),
            (f"sync chain of {CHAIN} (worker threads)", lambda: sync_chain(), CHAIN),
            (f"fan-out of {WIDTH} + and_ join", lambda: fan_out(), WIDTH + 2),
            (
                f"async chain of {CHAIN}, one event listener",
                lambda: async_chain(listeners=[events.append]),
                CHAIN,
            ),
            (f"async chain of {CHAIN}, journaled (@persist)", journaled, CHAIN),
            (f"sync chain of {CHAIN}, journaled (@persist)", lambda: persisted_sync(), CHAIN),
        ]
        print(f"flow overhead per instant step, {runs} kickoffs each:")
        for label, make, steps in cases:
            median, p95 = await _measure(make, steps, runs)
            print(f"  {label:45s} median {median:7.1f} us  p95 {p95:7.1f} us")
            events.clear()
        resumed = await _measure_resume(persisted, crashed, runs)
        print(f"  {'resume: 50 steps answered from the journal':45s} median {resumed:7.1f} us")
        bare = _bare_sqlite(str(Path(folder) / "bare.db"))
        print(f"  {'for scale: a bare SQLite write transaction':45s} median {bare:7.1f} us")
    print("target: <= 200 us per step")


def _crashed_run(flow_class: Any, db: str) -> str:
    """A journaled run whose every step finished but whose process 'died' before it ended."""
    from crewkit.journal import Journal

    flow = flow_class()
    flow.kickoff()
    journal = Journal(db)
    with journal._db.transaction() as conn:  # as if the process had died before the ending
        conn.execute(
            "UPDATE runs SET status = 'running', owner = NULL WHERE id = ?", (flow.flow_id,)
        )
        conn.execute("DELETE FROM entries WHERE run_id = ? AND kind = 'run_ended'", (flow.flow_id,))
    journal.close()
    return str(flow.flow_id)


def _bare_sqlite(path: str) -> float:
    """What this machine takes for the journal's minimum per step, without crewkit: one WAL
    transaction updating a counter row and inserting one row."""
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE runs(id TEXT PRIMARY KEY, n INTEGER)")
    conn.execute(
        "CREATE TABLE entries(id INTEGER PRIMARY KEY, run_id TEXT, seq INTEGER, data TEXT)"
    )
    conn.execute("INSERT INTO runs VALUES ('r', 0)")
    samples = []
    for chunk in range(40):  # per step of a 50-step "kickoff", as the flows are measured
        started = time.perf_counter()
        for seq in range(chunk * CHAIN, (chunk + 1) * CHAIN):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE runs SET n = n + 1 WHERE id = 'r' RETURNING n").fetchone()
            conn.execute("INSERT INTO entries(run_id, seq, data) VALUES ('r', ?, '{}')", (seq,))
            conn.execute("COMMIT")
        samples.append((time.perf_counter() - started) / CHAIN * 1e6)
    conn.close()
    return statistics.median(samples)


async def _measure_resume(flow_class: Any, run_id: str, runs: int) -> float:
    """Per step: resume a run whose 50 steps are journaled (read, replay, end the run)."""
    from crewkit.journal import Journal

    samples = []
    for _ in range(max(10, runs // 10)):
        journal = Journal(flow_class.__crewkit_flow_persist__.store)
        with journal._db.transaction() as conn:
            conn.execute("UPDATE runs SET status = 'running', owner = NULL WHERE id = ?", (run_id,))
        journal.close()
        started = time.perf_counter()
        await flow_class().resume_async(run_id)
        samples.append((time.perf_counter() - started) / CHAIN * 1e6)
    return statistics.median(samples)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
