"""crewkit's own cost per flow step: flows whose steps return at once, so all that is measured is
scheduling, trigger matching, events and (separately) @persist.

    python benchmarks/flow_overhead.py [kickoffs]

Prints the median and p95 per step for: a chain of 50 async steps, a chain of 50 sync steps (each
runs in a worker thread), a 20-wide fan-out joined by and_, the async chain with an event listener,
and a 10-step chain with @persist (one SQLite save per step). Target: <= 0.2 ms per step.
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
        persisted = persist(store=str(Path(folder) / "runs.db"))(
            _chain(10, is_async=True, name="PersistedChain")
        )
        cases = [
            (f"async chain of {CHAIN}", lambda: async_chain(), CHAIN),
            (f"sync chain of {CHAIN} (worker threads)", lambda: sync_chain(), CHAIN),
            (f"fan-out of {WIDTH} + and_ join", lambda: fan_out(), WIDTH + 2),
            (
                f"async chain of {CHAIN}, one event listener",
                lambda: async_chain(listeners=[events.append]),
                CHAIN,
            ),
            ("async chain of 10 with @persist (SQLite)", lambda: persisted(), 10),
        ]
        print(f"flow overhead per instant step, {runs} kickoffs each:")
        for label, make, steps in cases:
            median, p95 = await _measure(make, steps, runs)
            print(f"  {label:45s} median {median:7.1f} us  p95 {p95:7.1f} us")
            events.clear()
    print("target: <= 200 us per step")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
