"""``crewkit batch``: one run per row of a JSON Lines or CSV file, results appended to a JSON Lines
file as each run completes; rerunning the command finishes what is left."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crewkit._cli._common import OK, RUN_FAILED, UsageError, load
from crewkit._cli._durable import add_journal_arguments, journal_of


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``crewkit batch`` beside the crew source."""
    parser.add_argument(
        "--inputs-file",
        metavar="F",
        required=True,
        help="rows of inputs: JSON Lines (one object a line) or CSV with a header",
    )
    parser.add_argument(
        "--out",
        metavar="FILE",
        required=True,
        help="results, one JSON line per row; rows already there are skipped",
    )
    parser.add_argument(
        "--inputs",
        metavar="KEY=VALUE",
        nargs="+",
        action="extend",
        default=[],
        help="inputs every row gets unless it sets them itself",
    )
    parser.add_argument("-i", "--input", metavar="TEXT", help="fills {input} in every row")
    parser.add_argument("--model", metavar="M", help="use model M for every agent")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        metavar="N",
        help="runs in flight at once (default 16)",
    )
    parser.add_argument(
        "--executor",
        choices=("local", "process", "ray"),
        default="local",
        help="where runs execute: this process (default), worker processes, Ray",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes or Ray actors (default: one per CPU)",
    )
    parser.add_argument(
        "--per-worker",
        type=int,
        metavar="N",
        help="Ray: rows each worker runs at once (default: --concurrency spread over the "
        "workers); 1 when tools keep the CPU busy",
    )
    parser.add_argument(
        "--address",
        metavar="ADDR",
        help="Ray cluster to join: auto, or ray://host:10001 (default: start one)",
    )
    parser.add_argument(
        "--max-failures", type=int, metavar="N", help="stop starting new runs after N failed rows"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")  # fmt: skip
    journal = parser.add_argument_group("the run journal (on by default)")
    add_journal_arguments(journal)
    journal.add_argument("--no-journal", action="store_true", help="do not journal the runs")
    journal.add_argument(
        "--batch-id",
        metavar="ID",
        help="the batch's id in the journal (default: from the --out path, so the same "
        "command finds it again)",
    )


def run_batch_command(args: argparse.Namespace) -> int:
    """Run the batch, show progress, and print a summary; exit 1 when any row failed."""
    from crewkit.batch import run_batch

    defaults = _defaults(args)
    crew = load(args, inputs=None, require_model=True)
    crew.verbose = False
    for agent in crew.agents:
        agent.verbose = False
    out = Path(args.out)
    if out.parent and not out.parent.is_dir():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    rows = _with_defaults(Path(args.inputs_file), defaults)
    if args.no_journal and args.batch_id is not None:
        raise UsageError("--batch-id names the batch in the journal: drop --no-journal")
    if not args.no_journal:
        journal = journal_of(args)
        crew.durable, crew.journal = journal.path, journal
    bar = None if args.quiet else _Bar()
    try:
        summary = run_batch(
            crew,
            rows,
            out,
            concurrency=args.concurrency,
            executor=args.executor,
            workers=args.workers,
            address=args.address,
            max_failures=args.max_failures,
            progress=bar.update if bar else None,
            batch_id=args.batch_id,
            per_worker=args.per_worker,
        )
    finally:
        if bar is not None:
            bar.close()
    _print_summary(summary)
    return RUN_FAILED if summary.failed else OK


def _defaults(args: argparse.Namespace) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for item in args.inputs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise UsageError(f"--inputs {item!r}: expected KEY=VALUE with a name as KEY")
        defaults[key.strip()] = value
    if args.input is not None:
        defaults["input"] = args.input
    return defaults


class _Rows:
    """The rows of a file with the command's defaults under each; countable for the ETA."""

    def __init__(self, path: Path, defaults: dict[str, Any]) -> None:
        from crewkit.batch._source import count_rows, rows_of

        self.path, self.defaults = path, defaults
        self.total = count_rows(path)
        self._rows = rows_of(path)

    def __iter__(self) -> Any:
        return ({**self.defaults, **row.inputs} for row in self._rows)

    def __len__(self) -> int:
        return self.total or 0


def _with_defaults(path: Path, defaults: dict[str, Any]) -> Any:
    if not path.is_file():
        raise UsageError(f"--inputs-file {path}: file not found")
    return _Rows(path, defaults) if defaults else path


class _Bar:
    """A progress bar on stderr: done, failed, tokens, rate and time left."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed · {task.fields[tokens]} tokens · "
                       "{task.fields[rate]}/s"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )  # fmt: skip
        self._task: Any = None
        self._progress.start()

    def update(self, result: dict[str, Any], summary: Any) -> None:
        if self._task is None:
            remaining = None if summary.total is None else summary.total - summary.skipped
            self._task = self._progress.add_task("batch", total=remaining, failed=0, tokens=0,
                                                 rate="0.0")  # fmt: skip
        rate = summary.finished / max(summary.seconds or self._elapsed(), 1e-9)
        self._progress.update(self._task, completed=summary.finished, failed=summary.failed,
                              tokens=summary.usage.total_tokens, rate=f"{rate:.1f}")  # fmt: skip

    def _elapsed(self) -> float:
        task = self._progress.tasks[0] if self._progress.tasks else None
        return task.elapsed or 0.0 if task is not None else 0.0

    def close(self) -> None:
        self._progress.stop()


def _print_summary(summary: Any) -> None:
    write = sys.stderr.write
    recovered = f", {summary.recovered} from the run journal" if summary.recovered else ""
    write(
        f"{summary.done} done, {summary.failed} failed, {summary.skipped} already in "
        f"{summary.out}{recovered}; {summary.usage.total_tokens} tokens in "
        f"{summary.seconds:.1f} s\n"
    )
    if summary.batch_id is not None:
        write(f"batch {summary.batch_id} journaled (crewkit runs --batch {summary.batch_id})\n")
    if summary.stopped_early:
        write("stopped early: --max-failures reached; rerun the command to go on\n")
    for index, message in summary.failures[:10]:
        first = message.strip().splitlines()[0] if message.strip() else "(no message)"
        write(f"  row {index + 1}: {first}\n")
    if len(summary.failures) > 10:
        write(f"  ... and {summary.failed - 10} more (see 'error' in {summary.out})\n")
