"""``crewkit resume`` and ``crewkit replay``, and what kickoff needs to journal a run: the journal's
path and how to find the crew again (the files and ``--model`` it was started with)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crewkit._cli._common import OK, UsageError, load

if TYPE_CHECKING:
    from crewkit.crew import Crew, CrewOutput
    from crewkit.journal import Journal, RunRecord

WAITING = 3
"""Exit code of a run that stopped to wait for a person's review."""


def add_journal_arguments(parser: Any) -> None:
    """``--journal PATH`` on a parser or an argument group."""
    parser.add_argument(
        "--journal", metavar="PATH", default=None,
        help="the run journal (default: $CREWKIT_JOURNAL, else .crewkit/runs.db here)",
    )  # fmt: skip


def journal_of(args: argparse.Namespace, *, readonly: bool = False) -> Journal:
    """The journal the command works on."""
    from crewkit.journal import Journal
    from crewkit.journal._reader import default_path

    path = args.journal or default_path()
    if readonly and not Path(path).is_file():
        raise UsageError(f"no run journal at {path}: run a crew first, or pass --journal PATH")
    return Journal(path, readonly=readonly)


def source_of(args: argparse.Namespace) -> str:
    """How to load the crew again: its files (absolute) and ``--model``, as JSON."""

    def absolute(name: str | None) -> str | None:
        return None if name is None else str(Path(name).resolve())

    return json.dumps(
        {
            "file": absolute(args.file),
            "agents": absolute(args.agents),
            "tasks": absolute(args.tasks),
            "assign": args.assign,
            "model": getattr(args, "model", None),
        },
        sort_keys=True,
    )


def crew_of(record: RunRecord, args: argparse.Namespace) -> Crew:
    """The crew of a journaled run: from FILE when given, else from the files it was started
    with; ``--model`` when given, else the run's."""
    try:
        source: dict[str, Any] = json.loads(record.source or "{}")
    except ValueError:
        source = {}
    given = argparse.Namespace(
        file=args.file or (None if args.agents or args.tasks else source.get("file")),
        agents=args.agents or source.get("agents"),
        tasks=args.tasks or source.get("tasks"),
        assign=args.assign or source.get("assign"),
        model=args.model or source.get("model"),
    )
    if not (given.file or (given.agents and given.tasks)):
        raise UsageError(
            f"run {record.id!r} was not started from a crew file; name it: "
            f"crewkit {args.command} {record.id} crew.yaml"
        )
    return load(given, inputs=dict(record.inputs), require_model=True)


def run_resume(args: argparse.Namespace) -> int:
    """Continue a journaled run, with a review's answer if it waits for one."""
    from crewkit._run.resuming import resume_run
    from crewkit._sync import run_sync

    if args.approve and args.feedback is not None:
        raise UsageError("give --approve or --feedback TEXT, not both")
    journal = journal_of(args)
    record = journal.require(args.run_id)
    if record.kind == "flow":
        from crewkit._cli._flow import resume_flow_run

        return resume_flow_run(record, args, journal)
    crew = _durable(crew_of(record, args), journal)
    output = run_sync(
        lambda: resume_run(
            crew, args.run_id, feedback=args.feedback, approve=args.approve, force=args.force,
            no_input=args.no_input,
        )
    )  # fmt: skip
    return _done(output, args)


def run_replay(args: argparse.Namespace) -> int:
    """Run a journaled run again from one task."""
    from crewkit._run.resuming import replay_run
    from crewkit._sync import run_sync

    journal = journal_of(args)
    record = journal.require(args.run_id)
    crew = _durable(crew_of(record, args), journal)
    output = run_sync(lambda: replay_run(crew, args.start, args.run_id))
    sys.stderr.write(f"replayed run {args.run_id} from {args.start!r} as run {output.run_id}\n")
    return _done(output, args)


def _durable(crew: Crew, journal: Journal) -> Crew:
    crew.durable, crew.journal = journal.path, journal
    return crew


def _done(output: CrewOutput, args: argparse.Namespace) -> int:
    from crewkit._cli import _output

    if getattr(args, "json", False):
        sys.stdout.write(_output.as_json(output) + "\n")
    else:
        _output.print_answer(output, sys.stdout, None)
    return OK
