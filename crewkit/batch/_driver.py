"""The batch driver: streams rows from the source, keeps at most ``concurrency`` runs in flight,
writes each result as it arrives, and skips rows the results file already holds — or, for a
durable crew, rows the run journal holds as finished (their lines rebuilt from it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from crewkit._numbers import is_whole
from crewkit.batch._executors import Executor, LocalExecutor, ProcessExecutor
from crewkit.batch._journaled import FINISHED, BatchJournal, default_batch_id
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
    recovered: int = 0
    """Rows missing from the results file that the run journal holds as finished: their lines
    were written from the journal, nothing run again."""
    batch_id: str | None = None
    """The batch's id in the run journal (durable crews only)."""
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
    crew: Any,
    executor: ExecutorName,
    *,
    workers: int | None,
    address: str | None,
    batch_id: str | None = None,
    per_worker: int | None = None,
    concurrency: int = 16,
) -> Executor:
    """The executor named ``executor``, set up for ``crew`` (rows journaled in ``batch_id``)."""
    if executor == "local":
        return LocalExecutor(crew, batch_id)
    if executor == "process":
        return ProcessExecutor(crew, workers, batch_id)
    if executor == "ray":
        from crewkit.batch._ray import RayExecutor

        return RayExecutor(
            crew, address=address, workers=workers, per_worker=per_worker,
            concurrency=concurrency, with_outputs=batch_id is not None,
        )  # fmt: skip
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
    batch_id: str | None = None,
    per_worker: int | None = None,
) -> BatchSummary:
    """Run ``crew`` once per row of ``inputs`` and append each result to ``out`` as it finishes.

    Rerunning with the same ``out`` runs only the rows it does not hold yet, so a batch that was
    killed finishes where it stopped. Rows are read one at a time: memory depends on
    ``concurrency``, not on the number of rows.

    A durable crew (``Crew(durable=...)``) journals each row as a run of batch ``batch_id``
    (default: derived from ``out``'s path, so the same command finds it again): a rerun also
    skips rows the journal holds as finished, writing their lines from it, and continues a row
    cut off mid-run from its journal, without repeating its finished model and tool calls.
    ``per_worker``: rows each Ray worker runs at once (default: ``concurrency`` spread over the
    workers); 1 for CPU-bound tools.
    """
    if not is_whole(concurrency, 1):
        raise ConfigurationError(f"concurrency must be a positive integer, got {concurrency!r}")
    if max_failures is not None and not is_whole(max_failures, 1):
        raise ConfigurationError(f"max_failures must be a positive integer, got {max_failures!r}")
    if per_worker is not None and not is_whole(per_worker, 1):
        raise ConfigurationError(f"per_worker must be a positive integer, got {per_worker!r}")
    path = Path(out)
    summary = BatchSummary(out=path, total=count_rows(inputs))
    skip = done_keys(path)
    journal = getattr(crew, "journal", None)
    book = None if journal is None else BatchJournal(journal, batch_id or default_batch_id(path))
    if book is None and batch_id is not None:
        raise ConfigurationError("batch_id needs a durable crew: Crew(durable=True)")
    known: dict[str, str] = {}
    if book is not None:
        summary.batch_id = book.batch_id
        known = await asyncio.to_thread(book.begin, crew, summary.total, None)
    rows = rows_of(inputs)
    started = time.perf_counter()
    runner = (
        make_executor(
            crew, executor, workers=workers, address=address, per_worker=per_worker,
            concurrency=concurrency, batch_id=None if book is None else book.batch_id,
        )
        if isinstance(executor, str)
        else executor
    )  # fmt: skip
    # Executors that cannot reach the journal file (Ray) leave each row's run to the driver.
    by_driver = book is not None and not getattr(runner, "journals_rows", False)
    writer = ResultWriter(path)
    gate = asyncio.Semaphore(concurrency)
    in_flight: set[asyncio.Task[None]] = set()

    async def one(row: Row) -> None:
        run_id = None
        try:
            try:
                if by_driver and book is not None:
                    known_status = known.get(book.run_id(row))
                    run_id = await asyncio.to_thread(book.record_start, crew, row, known_status)
                result = await runner.run(row)
                if run_id is not None and book is not None:
                    await asyncio.to_thread(book.record_end, run_id, result)
                    result = {**result, "run_id": run_id}
            except Exception as error:  # the executor itself failed (a worker died)
                result = failure_of(row.index, row.key, row.inputs, error, run_id)
        finally:
            gate.release()
        result.pop("crew_output", None)
        writer.write(result)
        _count(summary, result, max_failures)
        if progress is not None:
            progress(result, summary)

    try:
        for row in rows:
            if row.key in skip:
                summary.skipped += 1
                continue
            if book is not None and known.get(book.run_id(row)) in FINISHED:
                writer.write(await asyncio.to_thread(book.result_line, row))
                summary.recovered += 1
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
