"""The batch driver: streams rows from the source, keeps at most ``concurrency`` runs in flight,
writes each result as it arrives, and skips rows the results file already holds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from crewkit._numbers import is_whole
from crewkit.batch._executors import Executor, LocalExecutor, ProcessExecutor
from crewkit.batch._results import ResultWriter, done_keys
from crewkit.batch._row import failure_of
from crewkit.batch._source import Row, count_rows, rows_of
from crewkit.errors import ConfigurationError
from crewkit.llm import Usage

ExecutorName = Literal["local", "process", "ray"]


@dataclass
class BatchSummary:
    """What a batch did; the rows themselves are in the results file."""

    out: Path
    """The results file (JSON Lines, one object per input row)."""
    total: int | None = None
    """Rows in the source, when it could be counted."""
    done: int = 0
    """Rows that ran and succeeded in this call."""
    failed: int = 0
    """Rows that ran and failed in this call."""
    skipped: int = 0
    """Rows already in the results file, not run again."""
    usage: Usage = field(default_factory=Usage)
    """Tokens of the runs of this call."""
    seconds: float = 0.0
    """Wall time of this call."""
    failures: list[tuple[int, str]] = field(default_factory=list)
    """``(row index, error)`` of the first 100 failed rows."""
    stopped_early: bool = False
    """True when ``max_failures`` stopped the batch before every row ran."""

    @property
    def finished(self) -> int:
        """Rows run in this call, failed or not."""
        return self.done + self.failed


Progress = Callable[[dict[str, Any], BatchSummary], None]
"""Called after each row is written, with its result line and the running summary."""


def make_executor(
    crew: Any, executor: ExecutorName, *, workers: int | None, address: str | None
) -> Executor:
    """The executor named ``executor``, set up for ``crew``."""
    if executor == "local":
        return LocalExecutor(crew)
    if executor == "process":
        return ProcessExecutor(crew, workers)
    if executor == "ray":
        from crewkit.batch._ray import RayExecutor

        return RayExecutor(crew, address=address, workers=workers)
    raise ConfigurationError(f"executor must be 'local', 'process' or 'ray', got {executor!r}")


async def arun_batch(
    crew: Any,
    inputs: str | Path | Iterable[Mapping[str, Any]],
    out: str | Path,
    *,
    concurrency: int = 16,
    executor: ExecutorName | Executor = "local",
    workers: int | None = None,
    address: str | None = None,
    max_failures: int | None = None,
    progress: Progress | None = None,
) -> BatchSummary:
    """Run ``crew`` once per row of ``inputs`` and append each result to ``out`` as it finishes.

    Rerunning with the same ``out`` runs only the rows it does not hold yet, so a batch that was
    killed finishes where it stopped. Rows are read one at a time: memory depends on
    ``concurrency``, not on the number of rows.
    """
    if not is_whole(concurrency, 1):
        raise ConfigurationError(f"concurrency must be a positive integer, got {concurrency!r}")
    if max_failures is not None and not is_whole(max_failures, 1):
        raise ConfigurationError(f"max_failures must be a positive integer, got {max_failures!r}")
    path = Path(out)
    summary = BatchSummary(out=path, total=count_rows(inputs))
    skip = done_keys(path)
    rows = rows_of(inputs)
    started = time.perf_counter()
    runner = (
        make_executor(crew, executor, workers=workers, address=address)
        if isinstance(executor, str)
        else executor
    )
    writer = ResultWriter(path)
    gate = asyncio.Semaphore(concurrency)
    in_flight: set[asyncio.Task[None]] = set()

    async def one(row: Row) -> None:
        try:
            try:
                result = await runner.run(row)
            except Exception as error:  # the executor itself failed (a worker died)
                result = failure_of(row.index, row.key, row.inputs, error)
        finally:
            gate.release()
        writer.write(result)
        _count(summary, result, max_failures)
        if progress is not None:
            progress(result, summary)

    try:
        for row in rows:
            if row.key in skip:
                summary.skipped += 1
                continue
            await gate.acquire()
            if summary.stopped_early:
                gate.release()
                break
            task = asyncio.create_task(one(row))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.gather(*in_flight)
    finally:
        for task in in_flight:
            task.cancel()
        writer.close()
        await runner.close()
        summary.seconds = time.perf_counter() - started
    return summary


def _count(summary: BatchSummary, result: dict[str, Any], max_failures: int | None) -> None:
    if result["ok"]:
        summary.done += 1
        usage = result["usage"] or {}
        summary.usage += Usage(
            usage.get("prompt_tokens", 0),
            usage.get("completion_tokens", 0),
            requests=usage.get("requests", 0),
        )
        return
    summary.failed += 1
    if len(summary.failures) < 100:
        summary.failures.append((result["index"], result["error"]["message"]))
    if max_failures is not None and summary.failed >= max_failures:
        summary.stopped_early = True


def run_batch(
    crew: Any,
    inputs: str | Path | Iterable[Mapping[str, Any]],
    out: str | Path,
    **options: Any,
) -> BatchSummary:
    """:func:`arun_batch` from synchronous code."""
    import functools

    from crewkit._sync import run_sync

    return run_sync(functools.partial(arun_batch, crew, inputs, out, **options))
