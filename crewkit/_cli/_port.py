"""``crewkit port PATH``: rewrite a CrewAI project's imports to crewkit's and report, with file and
line, everything it uses that crewkit lacks. Every change is printed; ``--diff`` writes nothing."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import TextIO

from crewkit._cli._port_rewrite import rewrite
from crewkit._cli._port_scan import DEPENDENCY, IGNORED, MISSING, Finding, scan_project
from crewkit.errors import ConfigurationError

_SKIP = {".git", ".venv", "venv", "__pycache__", "node_modules", ".tox", "site-packages"}


def project_files(root: Path) -> list[Path]:
    """The project's Python files and CrewAI YAML files, virtualenvs and caches left out."""
    if root.is_file():
        return [root]
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and (p.suffix == ".py" or p.name in ("agents.yaml", "tasks.yaml"))
        and not any(part in _SKIP for part in p.relative_to(root).parts)
    )


def port(path: Path, *, diff: bool, out: TextIO = sys.stdout) -> int:
    """Port the project at ``path``; returns 0 when crewkit has everything it uses, else 1."""
    if not path.exists():
        raise ConfigurationError(f"{path}: no such file or folder")
    root = path if path.is_dir() else path.parent
    files = project_files(path)
    changed = 0
    sources: dict[Path, str] = {}
    for file in files:
        if file.suffix != ".py":
            continue
        text = file.read_text(encoding="utf-8", errors="surrogateescape")
        new, changes = rewrite(text)
        sources[file] = new
        if not changes:
            continue
        changed += len(changes)
        shown = file.relative_to(root) if path.is_dir() else file.name
        if diff:
            out.writelines(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    f"a/{shown}",
                    f"b/{shown}",
                )
            )
            continue
        for change in changes:
            out.write(f"{shown}:{change.line}: {change.old.strip()}\n  -> {change.new.strip()}\n")
        file.write_text(new, encoding="utf-8", errors="surrogateescape")
    verb = "would rewrite" if diff else "rewrote"
    out.write(f"\n{verb} {changed} import{'s' if changed != 1 else ''} in {path}\n")
    yaml_files = [f for f in files if f.suffix != ".py"]
    return _report(scan_project(root, sources, yaml_files), out)


def run_port(args: argparse.Namespace) -> int:
    """``crewkit port PATH [--diff]``."""
    return port(Path(args.path), diff=args.diff)


def _report(findings: list[Finding], out: TextIO) -> int:
    titles = {
        MISSING: "CrewAI features crewkit lacks (the project will fail where they are used)",
        IGNORED: "CrewAI settings crewkit accepts without effect",
        DEPENDENCY: "Modules the project imports that are not installed",
    }
    for kind in (MISSING, IGNORED, DEPENDENCY):
        group = [f for f in findings if f.kind == kind]
        if group:
            out.write(f"\n{titles[kind]} ({len(group)}):\n")
            out.writelines(f"  {f}\n" for f in group)
    if not findings:
        out.write("crewkit has everything this project uses.\n")
    return 1 if any(f.kind == MISSING for f in findings) else 0
