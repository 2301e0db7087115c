"""The ``crewkit`` command: run, check, scaffold and draw crews described in YAML.

Exit codes: 0 success, 1 the run failed, 2 bad configuration or usage. User mistakes are reported as
messages without a traceback; ``--debug`` shows it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crewkit.errors import ConfigurationError, CrewFileError, CrewkitError

if TYPE_CHECKING:
    from crewkit.crew import Crew

OK, RUN_FAILED, BAD_CONFIG = 0, 1, 2


class UsageError(ConfigurationError):
    """A command-line argument is wrong (exit code 2)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return BAD_CONFIG
    try:
        code: int = args.run(args)
        return code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except CrewkitError as exc:
        if args.debug:
            traceback.print_exc()
        _error(str(exc))
        return BAD_CONFIG if isinstance(exc, ConfigurationError) else RUN_FAILED
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        _error(f"unexpected {type(exc).__name__}: {exc} (run with --debug to see the traceback)")
        return RUN_FAILED


def _error(message: str) -> None:
    sys.stderr.write(f"crewkit: error: {message}\n")


# -- arguments ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crewkit",
        description="Run, check, scaffold and draw crews of LLM agents described in crew.yaml.",
        epilog="Exit codes: 0 success, 1 the run failed, 2 bad configuration or usage.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    from crewkit import __version__

    parser.add_argument("--version", action="version", version=f"crewkit {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    kickoff = sub.add_parser(
        "kickoff",
        parents=[common],
        help="run a crew and print its answer",
        description="Run a crew: live progress on stderr, the final answer on stdout.",
    )
    _add_source(kickoff)
    _add_inputs(kickoff)
    kickoff.add_argument(
        "--model", metavar="M", help="use model M for every agent, the crew and the manager"
    )
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
    kickoff.set_defaults(run=_kickoff)

    validate = sub.add_parser(
        "validate",
        parents=[common],
        help="check a crew file without calling any model",
        description="Check schema, agent/task/tool references, placeholders against "
        "the inputs given, context cycles and models; print every problem.",
    )
    _add_source(validate)
    _add_inputs(validate)
    validate.add_argument("--model", metavar="M", help="check as if run with --model M")
    validate.set_defaults(run=_validate)

    init = sub.add_parser(
        "init",
        parents=[common],
        help="create a runnable crew folder",
        description="Create NAME/ with crew.yaml, a custom tool module and a test "
        "that runs the crew on the mock model.",
    )
    init.add_argument("name", metavar="NAME", help="folder to create")
    init.set_defaults(run=_init)

    graph = sub.add_parser(
        "graph",
        parents=[common],
        help="draw a crew (Mermaid by default)",
        description="Print the crew's agents, tasks, context edges and manager.",
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
    graph.set_defaults(run=_graph)

    models = sub.add_parser(
        "models", parents=[common], help="list model providers and whether they work here"
    )
    models.set_defaults(run=_models)
    return parser  # fmt: skip


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", nargs="?", help="crew.yaml")
    group = parser.add_argument_group("CrewAI projects (instead of FILE)")
    group.add_argument("--agents", metavar="A", help="CrewAI agents.yaml")
    group.add_argument("--tasks", metavar="T", help="CrewAI tasks.yaml")
    group.add_argument("--assign", choices=("in-order",),
                       help="give tasks without agent: the agent at the same position")  # fmt: skip


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("inputs (fill {placeholders}; later ones win)")
    group.add_argument("--inputs-file", metavar="F", help="a JSON object of inputs")
    group.add_argument("--inputs", metavar="KEY=VALUE", nargs="+", action="extend", default=[],
                       help="named inputs, overriding the file's inputs: defaults")  # fmt: skip
    group.add_argument("-i", "--input", metavar="TEXT", help="fills {input}")


# -- shared steps ------------------------------------------------------------------------------


def _given_inputs(args: argparse.Namespace) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    if args.inputs_file:
        path = Path(args.inputs_file)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(f"--inputs-file {path}: file not found") from None
        except (OSError, ValueError) as exc:
            raise UsageError(f"--inputs-file {path}: not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise UsageError(
                f"--inputs-file {path}: expected a JSON object, found {type(data).__name__}"
            )
        inputs.update(data)
    for item in args.inputs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise UsageError(
                f"--inputs {item!r}: expected KEY=VALUE with a name as KEY, e.g. topic=tea"
            )
        inputs[key.strip()] = value
    if args.input is not None:
        inputs["input"] = args.input
    return inputs


def _check_model(spec: str | None) -> None:
    if spec is None:
        return
    from crewkit._config._source import did_you_mean
    from crewkit.llm._registry import providers

    provider = spec.strip().partition("/")[0]
    if provider not in providers():
        hint = did_you_mean(provider, providers())
        raise UsageError(
            f"--model {spec!r}: unknown provider {provider!r}; known providers: "
            f"{', '.join(providers())}{f' ({hint})' if hint else ''}"
        )


def _load(args: argparse.Namespace, *, inputs: dict[str, Any] | None, require_model: bool) -> Crew:
    from crewkit.config import _load

    model = getattr(args, "model", None)
    _check_model(model)
    if args.file and (args.agents or args.tasks):
        raise UsageError("give either FILE or --agents and --tasks, not both")
    if args.file:
        if args.assign:
            raise UsageError("--assign applies to CrewAI projects (--agents and --tasks)")
        return _load(
            Path(args.file), None, None, model=model, inputs=inputs, require_model=require_model
        )
    if not (args.agents and args.tasks):
        raise UsageError("give a crew file (crewkit kickoff crew.yaml), or --agents A --tasks T")
    return _load(None, Path(args.agents), Path(args.tasks), assign=args.assign, model=model,
                 inputs=inputs, require_model=require_model)  # fmt: skip


def _plain() -> bool:
    from crewkit._console import plain_output

    return plain_output()


def _uses_input(crew: Crew) -> bool:
    from crewkit._inputs import placeholders

    texts = [t for a in crew.agents for t in (a.role, a.goal, a.backstory)]
    texts += [t for task in crew.tasks for t in (task.description, task.expected_output)]
    return any("input" in placeholders(text) for text in texts)


# -- commands ----------------------------------------------------------------------------------


def _kickoff(args: argparse.Namespace) -> int:
    from crewkit import _console
    from crewkit._cli import _output

    given = _given_inputs(args)
    crew = _load(args, inputs=given, require_model=True)
    if args.input is not None and not _uses_input(crew):
        sys.stderr.write("crewkit: note: --input was given but no text in the crew uses {input}\n")
    listener: Any = None
    if not args.quiet:
        listener = _console.progress(verbose=args.verbose)
        crew.listeners = [*crew.listeners, listener]
    crew.verbose = False  # the command draws its own progress
    for agent in crew.agents:
        agent.verbose = False
    try:
        output = crew.kickoff(inputs=given)
    finally:
        if isinstance(listener, _console.TreeProgress):
            listener.close()
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
            err = None if _plain() else _rich_stderr()
            _output.print_usage(output, sys.stderr, err)
    if args.output:
        Path(args.output).write_text(text.rstrip("\n") + "\n", encoding="utf-8")
        if not args.quiet:
            sys.stderr.write(f"wrote {args.output}\n")
    return OK


def _rich_stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _validate(args: argparse.Namespace) -> int:
    from crewkit.crew import Process

    try:
        crew = _load(args, inputs=_given_inputs(args), require_model=True)
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


def _init(args: argparse.Namespace) -> int:
    from crewkit._cli._scaffold import scaffold

    target = Path(args.name)
    for path in scaffold(target):
        sys.stdout.write(f"created {path}\n")
    sys.stdout.write(
        f'\nnext:\n  cd {target}\n  crewkit kickoff crew.yaml --input "your topic"\n'
        "  python -m pytest          # runs the crew on the mock model\n"
    )
    return OK


def _graph(args: argparse.Namespace) -> int:
    import shutil
    import subprocess

    from crewkit._cli import _graph as graphs

    crew = _load(args, inputs=None, require_model=False)
    if args.format == "png":
        dot = shutil.which("dot")
        if dot is None:
            raise UsageError(
                "--format png needs Graphviz's 'dot' program, which is not on PATH; install Graphviz "
                "(e.g. apt install graphviz), or use the default Mermaid output with any Mermaid viewer"
            )
        target = Path(args.output or f"{crew.name}.png")
        done = subprocess.run([dot, "-Tpng", "-o", str(target)], input=graphs.dot(crew),
                              text=True, capture_output=True, check=False)  # fmt: skip
        if done.returncode != 0:
            raise CrewkitError(f"dot failed: {done.stderr.strip()}")
        sys.stderr.write(f"wrote {target}\n")
        return OK
    text = graphs.mermaid(crew) if args.format == "mermaid" else graphs.dot(crew)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        sys.stderr.write(f"wrote {args.output}\n")
    else:
        sys.stdout.write(text)
    return OK


def _models(args: argparse.Namespace) -> int:
    from crewkit.llm._registry import provider_info, providers

    rows = []
    for name in providers():
        info = provider_info(name)
        missing = info.missing() if info is not None else []
        usable = "yes" if not missing else "no"
        note = ("needs " + ", ".join(missing)) if missing else (info.description if info else "")
        rows.append((name, usable, note))
    width = max([len("provider"), *(len(r[0]) for r in rows)])
    sys.stdout.write(f"{'provider'.ljust(width)}  usable  notes\n")
    for name, usable, note in rows:
        sys.stdout.write(f"{name.ljust(width)}  {usable.ljust(6)}  {note}\n")
    default = os.environ.get("CREWKIT_MODEL", "").strip()
    sys.stdout.write(
        f"\nCREWKIT_MODEL={default}\n"
        if default
        else "\nCREWKIT_MODEL is not set (default model for crews that name none)\n"
    )
    return OK
