"""Batch runs: one crew over thousands of inputs from a JSON Lines or CSV file, with bounded
concurrency, results appended as each run completes, reruns that skip finished rows, and runs in
this process, in worker processes or on a Ray cluster (``crewkit[ray]``). A durable crew's rows
are runs of one batch in the run journal: a rerun also skips rows the journal finished and
continues rows cut off mid-run from their journal.

    from crewkit.batch import run_batch
    summary = run_batch(crew, "tickers.jsonl", "results.jsonl", concurrency=32)
"""

from crewkit.batch._driver import BatchSummary, Progress, arun_batch, run_batch
from crewkit.batch._executors import Executor
from crewkit.batch._shipping import dump_crew, load_crew

__all__ = [
    "BatchSummary",
    "Executor",
    "Progress",
    "arun_batch",
    "dump_crew",
    "load_crew",
    "run_batch",
]
