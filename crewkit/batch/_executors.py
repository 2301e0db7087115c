"""Where the runs of a batch execute: on this event loop, in a pool of worker processes, or on a
Ray cluster (:mod:`crewkit.batch._ray`). Each takes one row and returns its result line."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from crewkit.batch._row import run_row
from crewkit.batch._shipping import dump_crew, load_crew
from crewkit.batch._source import Row


class Executor(Protocol):
    """Runs rows; the driver bounds how many are in flight."""

    async def run(self, row: Row) -> dict[str, Any]:
        """The result line of ``row``."""

    async def close(self) -> None:
        """Release workers."""


class LocalExecutor:
    """Every run on the driver's event loop: the right choice when runs wait on models."""

    journals_rows = True
    """Each row's run writes its own steps to the crew's journal (the driver need not)."""

    def __init__(self, crew: Any, batch_id: str | None = None) -> None:
        self.crew, self.batch_id = crew, batch_id

    async def run(self, row: Row) -> dict[str, Any]:
        return await run_row(self.crew, row, self.batch_id)

    async def close(self) -> None:
        return None


_worker_crew: Any = None


def _load_worker_crew(data: bytes) -> None:
    global _worker_crew
    _worker_crew = load_crew(data)


def _run_in_worker(index: int, inputs: dict[str, Any], batch_id: str | None) -> dict[str, Any]:
    return asyncio.run(run_row(_worker_crew, Row(index, inputs), batch_id))


class ProcessExecutor:
    """Runs in a pool of worker processes on this machine, one run per process at a time: the right
    choice when tools keep the CPU busy. The crew is pickled once and loaded once per worker; a
    durable crew's journal travels as its path, and each worker writes its rows' steps there
    (SQLite in WAL mode takes writers from many processes)."""

    journals_rows = True
    """Each row's run writes its own steps to the crew's journal (the driver need not)."""

    def __init__(self, crew: Any, workers: int | None = None, batch_id: str | None = None) -> None:
        self.batch_id = batch_id
        self.workers = workers or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, initializer=_load_worker_crew, initargs=(dump_crew(crew),)
        )

    async def run(self, row: Row) -> dict[str, Any]:
        future = self._pool.submit(_run_in_worker, row.index, row.inputs, self.batch_id)
        result: dict[str, Any] = await asyncio.wrap_future(future)
        return result

    async def close(self) -> None:
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
