"""``crewkit validate``: check a crew file without calling any model, printing every problem."""

from __future__ import annotations

import argparse
import sys

from crewkit._cli._common import BAD_CONFIG, OK, given_inputs, load
from crewkit.errors import CrewFileError


def run_validate(args: argparse.Namespace) -> int:
    """Load the crew as ``kickoff`` would; print ``ok`` with its shape, or every problem found."""
    from crewkit.crew import Process

    try:
        crew = load(args, inputs=given_inputs(args), require_model=True)
    except CrewFileError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        count = len(exc.problems)
        sys.stderr.write(f"{count} problem{'s' if count != 1 else ''} found\n")
        return BAD_CONFIG
    source = args.file or f"{args.agents} + {args.tasks}"
    sys.stdout.write(
        f"ok: {source}: crew {crew.name!r}, {len(crew.agents)} agents, {len(crew.tasks)} tasks, "
        f"process {Process(crew.process).value}\n"
    )
    return OK
