"""``crewkit init NAME``: a crew folder that runs and passes its own test straight away."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from crewkit._cli._common import OK
from crewkit.errors import ConfigurationError

_FILES = {
    "crew.yaml": "crew.yaml.txt",
    "tools.py": "tools.py.txt",
    "test_crew.py": "test_crew.py.txt",
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def scaffold(target: Path) -> list[Path]:
    """Write the scaffold into ``target`` (created; it must not exist or be empty)."""
    name = target.resolve().name
    if not _NAME.match(name):
        raise ConfigurationError(
            f"{name!r} is not a usable crew name: use letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConfigurationError(f"{target} already exists and is not empty; choose a new name")
    templates = Path(__file__).resolve().parent / "scaffold"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, template in _FILES.items():
        text = (templates / template).read_text(encoding="utf-8").replace("__NAME__", name)
        path = target / filename
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def run_init(args: argparse.Namespace) -> int:
    """Write the scaffold into NAME and say what to do next."""
    target = Path(args.name)
    for path in scaffold(target):
        sys.stdout.write(f"created {path}\n")
    sys.stdout.write(
        f'\nnext:\n  cd {target}\n  crewkit kickoff crew.yaml --input "your topic"\n'
        "  python -m pytest          # runs the crew on the mock model\n"
    )
    return OK
