"""What the commands share: exit codes, usage errors, reading inputs and loading the crew."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crewkit.errors import ConfigurationError

if TYPE_CHECKING:
    from crewkit.crew import Crew

OK, RUN_FAILED, BAD_CONFIG = 0, 1, 2
MAX_INPUTS_BYTES = 10_000_000
"""Largest ``--inputs-file`` read."""


class UsageError(ConfigurationError):
    """A command-line argument is wrong (exit code 2)."""


def add_command(
    sub: Any,
    common: argparse.ArgumentParser,
    name: str,
    run: Callable[[argparse.Namespace], int],
    summary: str,
    description: str | None,
) -> argparse.ArgumentParser:
    """A subcommand of ``sub`` taking the ``common`` options; its namespace's ``run`` does it."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, parents=[common], help=summary, description=description
    )
    parser.set_defaults(run=run)
    return parser


def given_inputs(args: argparse.Namespace) -> dict[str, Any]:
    """The inputs from ``--inputs-file``, ``--inputs KEY=VALUE`` and ``--input``, later ones winning."""
    inputs: dict[str, Any] = {}
    if args.inputs_file:
        path = Path(args.inputs_file)
        try:
            if not path.is_file():  # a folder, a device, a pipe: nothing to read, or no end
                raise (
                    UsageError(f"--inputs-file {path}: not a regular file")
                    if path.exists()
                    else FileNotFoundError
                )
            with path.open("rb") as handle:
                raw = handle.read(MAX_INPUTS_BYTES + 1)
            if len(raw) > MAX_INPUTS_BYTES:
                raise UsageError(f"--inputs-file {path}: larger than {MAX_INPUTS_BYTES:,} bytes")
            data = json.loads(raw.decode("utf-8"))
        except FileNotFoundError:
            raise UsageError(f"--inputs-file {path}: file not found") from None
        except (OSError, ValueError, RecursionError) as exc:
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


def check_output_path(option: str, given: str | None) -> None:
    """Refuse ``--output`` into a folder that does not exist (or onto a folder) before any work,
    so a paid run never ends in a file that cannot be written."""
    if not given:
        return
    path = Path(given)
    if path.is_dir():
        raise UsageError(f"{option} {given}: is a folder; name a file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise UsageError(f"{option} {given}: the folder {str(parent)!r} {what}")


def write_out(text: str, output: str | None) -> int:
    """``text`` to the ``--output`` file (saying so on stderr, stdout stays clean) or to stdout."""
    import sys

    if output:
        Path(output).write_text(text, encoding="utf-8")
        sys.stderr.write(f"wrote {output}\n")
    else:
        sys.stdout.write(text)
    return OK


def check_model(spec: str | None) -> None:
    """Refuse a ``--model`` whose provider crewkit does not have (exit code 2)."""
    if spec is None:
        return
    from crewkit._config._source import did_you_mean
    from crewkit.llm._registry import canonical, providers

    provider = canonical(spec).partition("/")[0]
    if provider not in providers():
        hint = did_you_mean(provider, providers())
        raise UsageError(
            f"--model {spec!r}: unknown provider {provider!r}; known providers: "
            f"{', '.join(providers())}{f' ({hint})' if hint else ''}"
        )


def load(args: argparse.Namespace, *, inputs: dict[str, Any] | None, require_model: bool) -> Crew:
    """The crew that FILE, or ``--agents`` and ``--tasks``, describe (``--model`` applied)."""
    from crewkit.config import _load

    model = getattr(args, "model", None)
    check_model(model)
    settings = {
        name: value
        for name in ("timeout", "temperature")
        if (value := getattr(args, name, None)) is not None
    }
    options: dict[str, Any] = {
        "model": model,
        "inputs": inputs,
        "require_model": require_model,
        "model_settings": settings,
        "allow_unsafe_callables": getattr(args, "allow_unsafe_callables", False),
    }
    if args.file and (args.agents or args.tasks):
        raise UsageError("give either FILE or --agents and --tasks, not both")
    if args.file:
        if args.assign:
            raise UsageError("--assign applies to CrewAI projects (--agents and --tasks)")
        return _load(Path(args.file), None, None, **options)
    if not (args.agents and args.tasks):
        raise UsageError("give a crew file (crewkit kickoff crew.yaml), or --agents A --tasks T")
    return _load(None, Path(args.agents), Path(args.tasks), assign=args.assign, **options)
