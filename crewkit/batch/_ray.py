"""Batch runs on a Ray cluster: the crew is shipped once to each worker actor, which runs up to
``per_worker`` rows concurrently on its own event loop; one named actor counts requests per minute
for the whole cluster, so ``max_rpm`` holds however many workers there are. Ray is imported only
here.

A worker holds one CPU. Rows that wait on models overlap well on it; rows whose tools keep the
CPU busy do not: their threads take turns on Python's GIL, and the actor's own Ray threads wait
for it too, so each call's round trip slows down (``benchmarks/batch.py ray`` measures it). For
those, ``per_worker=1``.

Workers do not journal: the journal is one SQLite file, and SQLite's locks do not hold on the
network file systems cluster nodes share. With a durable crew the driver journals each row's run
(inputs, status, task outputs, usage), so a rerun skips finished rows; a row cut off mid-run
starts again from its beginning."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from crewkit.batch._row import run_row
from crewkit.batch._shipping import dump_crew, load_crew
from crewkit.batch._source import Row
from crewkit.errors import ConfigurationError

LIMITER_NAME = "crewkit-rate-limits"
"""The named actor that holds the cluster's rate limits."""
NAMESPACE = "crewkit"
"""The Ray namespace of that actor, so every driver on the cluster finds the same one."""


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigurationError("--executor ray needs Ray: pip install 'crewkit[ray]'") from None
    return ray


class _RemoteLimiter:
    """A limit kept by the cluster's limiter actor: each acquire reserves a slot there and waits
    here until it comes."""

    def __init__(self, actor: Any, key: str, per_minute: int) -> None:
        self.actor, self.key, self.per_minute = actor, key, per_minute

    async def acquire(self) -> None:
        delay = await self.actor.reserve.remote(self.key, self.per_minute)
        if delay > 0:
            await asyncio.sleep(delay)


class _Limits:
    """Body of the limiter actor: one local limiter per key, reserved in order of arrival."""

    def __init__(self) -> None:
        self._limiters: dict[tuple[str, int], Any] = {}
        self._granted: dict[str, int] = {}

    def granted(self, key: str) -> int:
        """How many requests this actor has admitted under ``key``, cluster-wide."""
        return self._granted.get(key, 0)

    def reserve(self, key: str, per_minute: int) -> float:
        from crewkit._ratelimit import RateLimiter

        limiter = self._limiters.get((key, per_minute))
        if limiter is None:
            limiter = self._limiters[(key, per_minute)] = RateLimiter(per_minute)
        self._granted[key] = self._granted.get(key, 0) + 1
        return float(limiter.reserve())


class _Worker:
    """Body of a worker actor: the crew, loaded once; rows run concurrently on the actor's loop."""

    def __init__(self, crew_bytes: bytes, limits: Any) -> None:
        from crewkit._ratelimit import use_limiter_factory

        self.crew = load_crew(crew_bytes)
        use_limiter_factory(lambda key, rpm: _RemoteLimiter(limits, key, rpm))

    async def run(self, index: int, inputs: dict[str, Any], with_output: bool) -> dict[str, Any]:
        return await run_row(self.crew, Row(index, inputs), with_output=with_output)


class RayExecutor:
    """Rows go to the least busy of ``workers`` actors; results come back as each run finishes.
    ``per_worker``: rows one actor runs at once (default: ``concurrency`` spread over the
    actors). ``with_outputs``: return each run's whole output, for the driver's journal."""

    journals_rows = False
    """The driver journals each row's run (workers have no journal file)."""

    def __init__(
        self,
        crew: Any,
        *,
        address: str | None = None,
        workers: int | None = None,
        per_worker: int | None = None,
        concurrency: int = 16,
        with_outputs: bool = False,
    ) -> None:
        ray = _ray()
        if not ray.is_initialized():
            ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
        self._ray = ray
        self._with_outputs = with_outputs
        data = dump_crew(_without_journal(crew))
        limits_class = ray.remote(num_cpus=0)(_Limits)
        # Detached: one counter for the cluster's life, shared by every batch and driver on it.
        self._limits = limits_class.options(
            name=LIMITER_NAME, namespace=NAMESPACE, get_if_exists=True, lifetime="detached"
        ).remote()
        worker_class = ray.remote(num_cpus=1)(_Worker)
        count = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.per_worker = per_worker or -(-concurrency // count)
        crew_ref = ray.put(data)
        self._actors = [
            worker_class.options(max_concurrency=self.per_worker).remote(crew_ref, self._limits)
            for _ in range(count)
        ]
        self._load = [0] * count

    async def run(self, row: Row) -> dict[str, Any]:
        slot = min(range(len(self._actors)), key=self._load.__getitem__)
        self._load[slot] += 1
        try:
            result: dict[str, Any] = await self._actors[slot].run.remote(
                row.index, row.inputs, self._with_outputs
            )
        finally:
            self._load[slot] -= 1
        return result

    async def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        self._actors = []


def _without_journal(crew: Any) -> Any:
    """The crew as workers get it: not durable (the driver journals their rows)."""
    if getattr(crew, "journal", None) is None:
        return crew
    shipped = copy.copy(crew)
    shipped.durable, shipped.journal = None, None
    return shipped
