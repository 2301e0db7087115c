"""``crewkit kickoff``: run a crew, live progress on stderr, the final answer on stdout."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crewkit._cli._common import OK, UsageError, check_output_path, given_inputs, load
from crewkit._cli._durable import journal_of, source_of
from crewkit.errors import ConfigurationError, CrewkitError, ReviewPending

if TYPE_CHECKING:
    from crewkit._event_json import TraceFile
    from crewkit.crew import Crew


def run_kickoff(args: argparse.Namespace) -> int:
    """Run the crew and print its answer (and usage, unless ``--quiet``)."""
    from crewkit import _console
    from crewkit._cli import _output
    from crewkit._run.runner import RunOptions, run_crew
    from crewkit._sync import run_sync

    check_output_path("--output", args.output)
    given = given_inputs(args)
    crew = load(args, inputs=given, require_model=True)
    if args.input is not None and not _uses_input(crew):
        sys.stderr.write("crewkit: note: --input was given but no text in the crew uses {input}\n")
    listener: Any = None
    trace = _trace_file(args.trace) if args.trace else None
    if not args.quiet:
        listener = _console.progress(verbose=args.verbose, reasons=False)
        crew.listeners = [*crew.listeners, listener]
    if trace is not None:
        crew.listeners = [*crew.listeners, trace]
    crew.verbose = False  # the command draws its own progress
    for agent in crew.agents:
        agent.verbose = False
    # The live tree shows each reply as it is written; a trace has every piece.
    streaming = isinstance(listener, _console.TreeProgress) or trace is not None
    options = RunOptions(run_id=args.run_id, no_input=args.no_input, streaming=streaming)
    # Journaled unless --no-journal, or the crew file says durable: false and no --journal is given.
    journaled = not args.no_journal and (crew.durable is not False or args.journal is not None)
    if journaled:
        journal = journal_of(args)
        crew.durable, crew.journal = journal.path, journal
        options = replace(options, source=source_of(args))
    try:
        output = run_sync(lambda: run_crew(crew, given, options))
    except CrewkitError as exc:
        if isinstance(listener, _console.TreeProgress):
            listener.close()  # the tree's final picture first, then the answers below it
        if not isinstance(exc, (ConfigurationError, ReviewPending)):
            _keep_finished(args, exc)
        raise
    finally:
        if isinstance(listener, _console.TreeProgress):
            listener.close()
        if trace is not None:
            trace.close()
    if journaled and not args.quiet:
        sys.stderr.write(f"run {output.run_id} journaled in {crew.durable}\n")
    if args.json:
        text = _output.as_json(output)
        sys.stdout.write(text + "\n")
    else:
        text = output.raw
        console = None
        if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
            from rich.console import Console

            console = Console()
        _output.print_answer(output, sys.stdout, console)
        if not args.quiet:
            err = None if _console.plain_output() else _rich_stderr()
            _output.print_usage(output, sys.stderr, err)
    if args.output:
        Path(args.output).write_text(text.rstrip("\n") + "\n", encoding="utf-8")
        if not args.quiet:
            sys.stderr.write(f"wrote {args.output}\n")
    return OK


def _keep_finished(args: argparse.Namespace, error: CrewkitError) -> None:
    """A failed run's finished answers on stdout (``--json``: the error object with them), so the
    paid work is not lost; the error itself is printed on stderr by ``crewkit.cli``."""
    from crewkit._cli import _output

    if args.json:
        sys.stdout.write(_output.error_as_json(error) + "\n")
    elif error.outputs:
        _output.print_finished(error, sys.stdout)
        count = len(error.outputs)
        sys.stderr.write(
            f"crewkit: the run failed; the answer{'s' if count != 1 else ''} of {count} finished "
            f"task{'s' if count != 1 else ''} {'are' if count != 1 else 'is'} on stdout\n"
        )
    sys.stdout.flush()


def _trace_file(path: str) -> TraceFile:
    from crewkit._event_json import TraceFile

    try:
        return TraceFile(path)
    except OSError as exc:
        raise UsageError(f"--trace {path}: cannot write the file: {exc.strerror or exc}") from None


def _uses_input(crew: Crew) -> bool:
    from crewkit._inputs import placeholders

    texts = [t for a in crew.agents for t in (a.role, a.goal, a.backstory)]
    texts += [t for task in crew.tasks for t in (task.description, task.expected_output)]
    return any("input" in placeholders(text) for text in texts)


def _rich_stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True)
