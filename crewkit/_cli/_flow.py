"""``crewkit flow plot|kickoff module:FlowClass``: draw or run a flow defined in Python.

``module`` is a dotted module importable from the working directory (``my_flows.main``) or a file
(``src/my_flows/main.py``; a file inside a package is imported as part of it, so its relative
imports work).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crewkit._cli._common import BAD_CONFIG, OK, UsageError, add_command, given_inputs

if TYPE_CHECKING:
    from crewkit.flow import Flow
    from crewkit.journal import Journal, RunRecord


def add_flow_commands(
    sub: Any, common: argparse.ArgumentParser, add_inputs: Callable[[Any], None]
) -> None:
    """Add ``crewkit flow`` and its subcommands to the parser."""
    flow = add_command(
        sub,
        common,
        "flow",
        lambda args: _missing_subcommand(flow),
        "draw or run a Flow class (module:FlowClass)",
        "Draw or run a crewkit/CrewAI Flow class defined in Python.",
    )
    commands = flow.add_subparsers(dest="flow_command", metavar="SUBCOMMAND")
    plot = add_command(
        commands,
        common,
        "plot",
        run_flow_plot,
        "print the flow as Mermaid, or write it to a file",
        "Print the flow's steps, triggers and router labels as Mermaid text.",
    )
    plot.add_argument("target", metavar="MODULE:CLASS", help="e.g. my_flows.main:LeadScoreFlow")
    plot.add_argument(
        "-o", "--output", metavar="FILE", help="write FILE instead: .html renders it, else Mermaid"
    )
    kickoff = add_command(
        commands,
        common,
        "kickoff",
        run_flow_kickoff,
        "run a flow and print its result",
        "Run a flow: progress on stderr, the result on stdout.",
    )
    kickoff.add_argument("target", metavar="MODULE:CLASS", help="e.g. my_flows.main:LeadScoreFlow")
    add_inputs(kickoff)
    kickoff.add_argument("-q", "--quiet", action="store_true", help="show no progress")
    kickoff.add_argument(
        "--json", action="store_true", help="print the result, the state and its id as JSON"
    )
    kickoff.add_argument(
        "--resume",
        metavar="RUN_ID",
        help="continue this journaled run of a persisted flow: finished steps are not run again",
    )
    kickoff.add_argument(
        "--force",
        action="store_true",
        help="with --resume: resume even if the flow changed; reuse the steps that still exist",
    )
    kickoff.set_defaults(input=None)


def _missing_subcommand(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return BAD_CONFIG


def run_flow_plot(args: argparse.Namespace) -> int:
    """Print or write the flow's picture."""
    flow_class = load_flow_class(args.target)
    if not args.output:
        sys.stdout.write(flow_class.mermaid())
        return OK
    path = Path(args.output)
    if path.suffix.lower() in (".html", ".htm"):
        written = flow_class().plot(str(path))
    else:
        path.write_text(flow_class.mermaid(), encoding="utf-8")
        written = str(path)
    sys.stderr.write(f"wrote {written}\n")
    return OK


def run_flow_kickoff(args: argparse.Namespace) -> int:
    """Run the flow with ``--inputs`` (or resume a run of it) and print its result."""
    flow_class = load_flow_class(args.target)
    inputs = given_inputs(args)
    if args.force and not args.resume:
        raise UsageError("--force goes with --resume RUN_ID")
    if args.resume and inputs:
        raise UsageError(
            "--resume continues a run from its journaled state: give no --inputs with it"
        )
    return _run(flow_class, args, None, lambda flow: _start(flow, args, inputs))


def _start(flow: Flow[Any], args: argparse.Namespace, inputs: dict[str, Any]) -> Any:
    if args.resume:
        return flow.resume(args.resume, force=args.force)
    return flow.kickoff(inputs)


def resume_flow_run(record: RunRecord, args: argparse.Namespace, journal: Journal) -> int:
    """``crewkit resume ID`` of a flow's run: load its class (``module:Class`` given as FILE, else
    the one it was started from) and resume it in ``journal``."""
    target = args.file if args.file and ":" in args.file else record.source
    if not target:
        raise UsageError(
            f"run {record.id!r} does not say which flow class it ran; name it: "
            f"crewkit resume {record.id} my_flows.main:MyFlow"
        )
    if args.feedback is not None or args.approve:
        raise UsageError(f"run {record.id!r} is a flow's run: it waits for no review")
    flow_class = load_flow_class(target)
    args.quiet = getattr(args, "quiet", False)
    return _run(flow_class, args, journal, lambda flow: flow.resume(record.id, force=args.force))


def _run(
    flow_class: type[Flow[Any]],
    args: argparse.Namespace,
    journal: Journal | None,
    go: Callable[[Flow[Any]], Any],
) -> int:
    from crewkit import _console

    listener: Any = None if args.quiet else _console.progress(verbose=False)
    options: dict[str, Any] = {"listeners": [listener] if listener is not None else []}
    if journal is not None:
        options["persistence"] = journal
    flow = flow_class(**options)
    try:
        result = go(flow)
    finally:
        if isinstance(listener, _console.TreeProgress):
            listener.close()
    if getattr(args, "json", False):
        document = {"flow_id": flow.flow_id, "result": _plain(result), "state": _plain(flow.state)}
        sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
    elif result is not None:
        text = result if isinstance(result, str) else json.dumps(_plain(result), default=str)
        sys.stdout.write(text.rstrip("\n") + "\n")
    return OK


def _plain(value: Any) -> Any:
    """JSON-ready data for a result or state (models, crew outputs, containers of them)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def load_flow_class(target: str) -> type[Flow[Any]]:
    """The Flow subclass ``target`` names (``module:Class`` or ``path/file.py:Class``)."""
    from crewkit.flow import Flow

    where, sep, name = target.rpartition(":")
    if not sep or not where or not name.isidentifier():
        raise UsageError(
            f"{target!r}: expected MODULE:CLASS, e.g. my_flows.main:LeadScoreFlow or "
            "src/my_flows/main.py:LeadScoreFlow"
        )
    module_name = _module_name(where)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise UsageError(
                f"{target!r}: no module {module_name!r} here ({Path.cwd()}); give a module "
                "importable from this folder or a path to a .py file"
            ) from None
        raise
    found = getattr(module, name, None)
    if not (isinstance(found, type) and issubclass(found, Flow)):
        flows = sorted(
            k
            for k, v in vars(module).items()
            if isinstance(v, type) and issubclass(v, Flow) and v is not Flow
        )
        what = "has no" if found is None else "has no Flow subclass named"
        listing = f"; its flows: {', '.join(flows)}" if flows else "; it defines no Flow subclass"
        raise UsageError(f"module {module_name!r} {what} {name!r}{listing}")
    return found


def _module_name(where: str) -> str:
    """A dotted module name for ``where``, putting the folder it is found from on ``sys.path``."""
    if not where.endswith(".py") and "/" not in where and "\\" not in where:
        _add_path(Path.cwd())
        return where
    path = Path(where).resolve()
    if not path.is_file():
        raise UsageError(f"{where}: no such file")
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():  # a module in a package keeps its relative imports
        parts.insert(0, folder.name)
        folder = folder.parent
    _add_path(folder)
    return ".".join(parts)


def _add_path(folder: Path) -> None:
    entry = str(folder)
    if entry not in sys.path:
        sys.path.insert(0, entry)
