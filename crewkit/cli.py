"""The ``crewkit`` command: run, check, scaffold and draw crews described in YAML.

Exit codes: 0 success, 1 the run failed, 2 bad configuration or usage, 3 the run waits for a
person's review (``crewkit resume ID --approve`` or ``--feedback TEXT`` continues it). User mistakes are reported as
messages without a traceback; ``--debug`` shows it. The commands live in :mod:`crewkit._cli`.
"""

from __future__ import annotations

import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from crewkit._cli._common import BAD_CONFIG, RUN_FAILED
from crewkit._cli._durable import WAITING
from crewkit._cli._parser import build_parser
from crewkit.errors import CompatibilityWarning, ConfigurationError, CrewkitError, ReviewPending


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    warnings.showwarning = _show_warning
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    cut = given.index("--") if "--" in given else len(given)
    args = parser.parse_args(given[:cut])
    args.arguments = given[cut + 1 :]  # for the entry `crewkit run` calls
    if cut < len(given) and getattr(args, "command", None) != "run":
        parser.error("arguments after -- are for `crewkit run` only")
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return BAD_CONFIG
    try:
        code: int = args.run(args)
        return code
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except BrokenPipeError:  # `crewkit runs show ID | head`: the reader has all it wanted
        sys.stderr.close()
        return 0
    except ReviewPending as waiting:
        sys.stderr.write(f"crewkit: {waiting}\n--- answer under review ---\n{waiting.answer}\n")
        return WAITING
    except CrewkitError as exc:
        if args.debug:
            traceback.print_exc()
        _error(str(exc))
        return BAD_CONFIG if isinstance(exc, ConfigurationError) else RUN_FAILED
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        hint = "" if args.debug else " (run with --debug to see the traceback)"
        _error(f"unexpected {type(exc).__name__}: {exc}{hint}")
        return RUN_FAILED


_PACKAGE = str(Path(__file__).resolve().parent)
_python_showwarning = warnings.showwarning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """CrewAI-compatibility notes as one line: where in the user's code (never crewkit's own)."""
    if not issubclass(category, CompatibilityWarning):
        _python_showwarning(message, category, filename, lineno, file, line)
        return
    where = "" if str(Path(filename).resolve()).startswith(_PACKAGE) else f"{filename}:{lineno}: "
    sys.stderr.write(f"crewkit: note: {where}{message}\n")


def _error(message: str) -> None:
    sys.stderr.write(f"crewkit: error: {message}\n")
