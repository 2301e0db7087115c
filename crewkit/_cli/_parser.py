"""The ``crewkit`` command's arguments: one subcommand per module of :mod:`crewkit._cli`."""

from __future__ import annotations

import argparse
from functools import partial

from crewkit._cli._batch import add_batch_arguments, run_batch_command
from crewkit._cli._common import add_command
from crewkit._cli._durable import add_journal_arguments, run_replay, run_resume
from crewkit._cli._flow import add_flow_commands
from crewkit._cli._graph import run_graph
from crewkit._cli._kickoff import run_kickoff
from crewkit._cli._models import run_models
from crewkit._cli._port import run_port
from crewkit._cli._project import run_project
from crewkit._cli._runs import run_runs
from crewkit._cli._scaffold import run_init
from crewkit._cli._ui import run_ui
from crewkit._cli._validate import run_validate


def build_parser() -> argparse.ArgumentParser:
    """The parser; each subcommand's namespace carries ``run``, the function that does it."""
    parser = argparse.ArgumentParser(
        prog="crewkit",
        description="Run, check, scaffold and draw crews of LLM agents described in crew.yaml, "
        "and flows defined in Python.",
        epilog="Exit codes: 0 success, 1 the run failed, 2 bad configuration or usage, "
        "3 the run waits for a review (crewkit resume ID --approve | --feedback TEXT).",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    from crewkit import __version__

    parser.add_argument("--version", action="version", version=f"crewkit {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    command = partial(add_command, sub, common)

    kickoff = command(
        "kickoff",
        run_kickoff,
        "run a crew and print its answer",
        "Run a crew: live progress on stderr, the final answer on stdout.",
    )
    _add_source(kickoff)
    _add_inputs(kickoff)
    kickoff.add_argument(
        "--model", metavar="M", help="use model M for every agent, the crew and the manager"
    )
    _add_model_settings(kickoff)
    shown = kickoff.add_mutually_exclusive_group()
    shown.add_argument(
        "-v", "--verbose", action="store_true", help="also show model calls and tool results"
    )
    shown.add_argument(
        "-q", "--quiet", action="store_true", help="show no progress, only the answer"
    )
    kickoff.add_argument(
        "--json", action="store_true", help="print the whole output as JSON on stdout"
    )
    kickoff.add_argument(
        "-o", "--output", metavar="FILE", help="also write the answer (or the JSON) to FILE"
    )
    kickoff.add_argument(
        "--trace", metavar="FILE", help="write every event of the run to FILE as JSON lines"
    )
    durable = kickoff.add_argument_group("the run journal (on by default)")
    add_journal_arguments(durable)
    durable.add_argument("--no-journal", action="store_true", help="do not journal this run")
    durable.add_argument("--run-id", metavar="ID", help="name the run (default: a fresh id)")
    durable.add_argument(
        "--no-input",
        action="store_true",
        help="nobody answers reviews here: a human_input task waits (exit 3)",
    )

    resume = command(
        "resume",
        run_resume,
        "continue a journaled run (after a crash, a failure or for a review)",
        "Continue run ID: every model answer and tool result in the journal is used again, "
        "the rest runs live. The crew is loaded from the file the run was started with "
        "(or FILE).",
    )
    _add_journaled_run(resume)
    review = resume.add_mutually_exclusive_group()
    review.add_argument("--feedback", metavar="TEXT", help="answer the waiting review: revise")
    review.add_argument("--approve", action="store_true", help="accept the answer under review")
    resume.add_argument(
        "--force",
        action="store_true",
        help="resume even if the crew changed; reuse the steps that still match",
    )
    resume.add_argument("--no-input", action="store_true", help="a further review waits (exit 3)")

    replay = command(
        "replay",
        run_replay,
        "run a journaled run again from one task",
        "A new run that keeps the outputs of the tasks before TASK from run ID and runs TASK "
        "and the ones after it live.",
    )
    _add_journaled_run(replay)
    replay.add_argument(
        "--from",
        dest="start",
        metavar="TASK",
        required=True,
        help="the task's name or label, or its number (1 is the first)",
    )

    runs = command(
        "runs",
        run_runs,
        "list journaled runs; runs show ID; runs export ID; runs rm ID",
        "Without an action: the runs, newest first (id, kind, crew or flow name, started, status, tasks or steps done, "
        "tokens, cost, batch and row). show ID: the run's steps as a tree. export ID: its events as JSON lines "
        "or its spans as OTLP/JSON. rm ID: remove the run.",
    )
    runs.add_argument(
        "action", nargs="?", choices=("show", "export", "rm"), help="show, export or rm"
    )
    runs.add_argument("run_id", metavar="ID", nargs="?", help="the run to show, export or remove")
    runs.add_argument(
        "--format",
        choices=("jsonl", "otlp-json"),
        default="jsonl",
        help="export: events as JSON lines (default) or spans as OTLP/JSON",
    )
    runs.add_argument("-o", "--output", metavar="FILE", help="export: write to FILE, not stdout")
    runs.add_argument(
        "--include-content",
        action="store_true",
        help="otlp-json: add prompts, replies and tool data to the spans",
    )
    runs.add_argument("--crew", metavar="NAME", help="only runs of this crew")
    runs.add_argument("--status", metavar="S", help="only runs with this status (e.g. waiting)")
    runs.add_argument(
        "--batch", metavar="ID", help="only the runs of this batch, in row order, after its counts"
    )
    runs.add_argument("--limit", metavar="N", type=int, default=20, help="at most N runs (20)")
    add_journal_arguments(runs)

    validate = command(
        "validate",
        run_validate,
        "check a crew file without calling any model",
        "Check schema, agent/task/tool references, placeholders against "
        "the inputs given, context cycles and models; print every problem.",
    )
    _add_source(validate)
    _add_inputs(validate)
    validate.add_argument("--model", metavar="M", help="check as if run with --model M")
    _add_model_settings(validate)

    init = command(
        "init",
        run_init,
        "create a runnable crew folder",
        "Create NAME/ with crew.yaml, a custom tool module and a test "
        "that runs the crew on the mock model.",
    )
    init.add_argument("name", metavar="NAME", help="folder to create")

    graph = command(
        "graph",
        run_graph,
        "draw a crew (Mermaid by default)",
        "Print the crew's agents, tasks, context edges and manager.",
    )
    _add_source(graph)
    graph.add_argument(
        "--format",
        choices=("mermaid", "dot", "png"),
        default="mermaid",
        help="mermaid (default) or dot text, or png (needs Graphviz's dot program)",
    )
    graph.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (png default: <crew>.png)"
    )
    _add_trust(graph)

    batch = command(
        "batch",
        run_batch_command,
        "run a crew once per row of a JSONL or CSV file",
        "One run per input row, results appended to --out as each finishes; rerun the same "
        "command to finish a batch that stopped. Exit 1 when any row failed.",
    )
    _add_source(batch)
    add_batch_arguments(batch)

    command("models", run_models, "list model providers and whether they work here", None)

    run = command(
        "run",
        run_project,
        "run a CrewAI-layout project's own entry point",
        "Run PATH's entry point in this process: pyproject.toml's [project.scripts] run_crew, "
        "kickoff or <package> entry, else src/<package>/main.py:run(), or a .py script. "
        "Arguments after -- reach the entry as sys.argv[1:].",
    )
    run.add_argument("path", metavar="PATH", nargs="?", default=".",
                     help="project folder or script (default: .)")  # fmt: skip
    run.add_argument("--model", metavar="M",
                     help="run every model of every crew on M (e.g. mock)")  # fmt: skip
    run.add_argument("--entry", metavar="NAME",
                     help="another [project.scripts] entry, e.g. train, test or replay")  # fmt: skip

    port = command(
        "port",
        run_port,
        "rewrite a CrewAI project's imports to crewkit's",
        "Rewrite PATH's crewai / crewai_tools imports in place, printing each change, then list "
        "every CrewAI feature it uses that crewkit lacks, with file and line. "
        "Exit 0 when nothing is missing.",
    )
    port.add_argument("path", metavar="PATH", help="project folder or a .py file")
    port.add_argument("--diff", action="store_true",
                      help="show the changes as a unified diff and write nothing")  # fmt: skip
    add_flow_commands(sub, common, partial(_add_inputs, flow=True))

    ui = command(
        "ui",
        run_ui,
        "see, follow and steer journaled runs in a browser",
        "Serve the run journal's pages (runs, a run's steps, reviews, batches) on 127.0.0.1. "
        "Another --host needs CREWKIT_UI_TOKEN, which every request must then carry. "
        "Needs the ui extra: pip install 'crewkit[ui]'.",
    )
    ui.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    ui.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default 127.0.0.1; others need CREWKIT_UI_TOKEN)",
    )
    add_journal_arguments(ui)
    ui.add_argument(
        "--resume",
        choices=("worker", "none"),
        default="worker",
        help="after a review: resume the run in a worker process (default), or only "
        "record the decision",
    )
    return parser  # fmt: skip


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", nargs="?", help="crew.yaml")
    group = parser.add_argument_group("CrewAI projects (instead of FILE)")
    group.add_argument("--agents", metavar="A", help="CrewAI agents.yaml")
    group.add_argument("--tasks", metavar="T", help="CrewAI tasks.yaml")
    group.add_argument("--assign", choices=("in-order",),
                       help="give tasks without agent: the agent at the same position")  # fmt: skip


def _add_journaled_run(parser: argparse.ArgumentParser) -> None:
    """A journaled run to go on with (resume, replay): its id, its crew, the model, the output."""
    parser.add_argument("run_id", metavar="ID", help="the run (see crewkit runs)")
    _add_source(parser)
    parser.add_argument("--model", metavar="M", help="use model M (default: the run's)")
    parser.add_argument("--json", action="store_true", help="print the whole output as JSON")
    add_journal_arguments(parser)


def _add_model_settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        metavar="S",
        type=_positive,
        help="seconds one model request may take (HTTP models; default 60)",
    )
    parser.add_argument(
        "--temperature",
        metavar="T",
        type=_number,
        help="sampling temperature for every model that takes one",
    )
    _add_trust(parser)  # fmt: skip


def _add_trust(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-unsafe-callables",
        action="store_true",
        help="let the crew file name standard-library functions that run programs or code or "
        "touch the system (os:system, builtins:eval...) as tools, guardrails or callbacks",
    )


def _number(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _positive(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _add_inputs(parser: argparse.ArgumentParser, *, flow: bool = False) -> None:
    """A crew's inputs fill its {placeholders} (and have defaults in the file); a flow's, its state."""
    fills = "the flow's state" if flow else "{placeholders}"
    group = parser.add_argument_group(f"inputs (fill {fills}; later ones win)")
    group.add_argument("--inputs-file", metavar="F", help="a JSON object of inputs")
    named = "named inputs, overriding the file's" + ("" if flow else " inputs: defaults")
    group.add_argument("--inputs", metavar="KEY=VALUE", nargs="+", action="extend", default=[],
                       help=named)  # fmt: skip
    if not flow:
        group.add_argument("-i", "--input", metavar="TEXT", help="fills {input}")
