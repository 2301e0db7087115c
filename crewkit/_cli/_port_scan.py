"""Finding what a ported project uses that crewkit lacks, statically: nothing is imported from the
project and nothing of it runs.

Three kinds of finding, each with file and line: an import crewkit cannot satisfy (module or name),
a setting crewkit accepts but ignores or does not know (keyword arguments of Agent/Task/Crew/LLM and
keys of agents.yaml/tasks.yaml), and a third-party module that is not installed here.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MISSING, IGNORED, DEPENDENCY = "missing", "ignored", "dependency"


@dataclass(frozen=True)
class Finding:
    """One thing the project uses that crewkit lacks or ignores."""

    file: str
    line: int
    kind: str
    """``missing`` (the run will fail), ``ignored`` (accepted, no effect) or ``dependency``."""
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _accepted() -> dict[str, set[str]]:
    """Keyword arguments crewkit's Agent, Task, Crew and LLM take."""
    import inspect

    from crewkit import LLM, Agent, Crew, Task

    found = {
        cls.__name__: {f.name for f in dataclasses.fields(cls)} | {"config"}
        for cls in (Agent, Task, Crew)
    }
    found["LLM"] = set(inspect.signature(LLM.__init__).parameters) - {"self", "other"}
    return found


def scan_project(root: Path, sources: Mapping[Path, str], yaml_files: list[Path]) -> list[Finding]:
    """Findings for the project at ``root``: its Python ``sources`` (path → text, as ported) and
    its agents.yaml / tasks.yaml files."""
    accepted = _accepted()
    local = {p.stem for p in sources} | {p.name for p in root.rglob("*") if p.is_dir()}
    findings: list[Finding] = []
    for file, text in sources.items():
        findings += _scan_python(_shown(file, root), text, accepted, local)
    for file in yaml_files:
        findings += _scan_yaml(_shown(file, root), file, accepted)
    return findings


def _shown(file: Path, root: Path) -> str:
    return str(file.relative_to(root)) if file.is_relative_to(root) else str(file)


def _scan_python(
    shown: str, text: str, accepted: dict[str, set[str]], local: set[str]
) -> list[Finding]:
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        return [Finding(shown, exc.lineno or 1, MISSING, f"cannot parse the file: {exc.msg}")]
    out: list[Finding] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out += _check_import(
                shown, node.lineno, node.module, [a.name for a in node.names], local
            )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out += _check_import(shown, node.lineno, alias.name, [], local)
        elif isinstance(node, ast.Call):
            name = (
                node.func.id
                if isinstance(node.func, ast.Name)
                else (node.func.attr if isinstance(node.func, ast.Attribute) else None)
            )
            if name in accepted:
                for keyword in node.keywords:
                    if keyword.arg is not None and keyword.arg not in accepted[name]:
                        out.append(_setting(shown, keyword.lineno, name, keyword.arg))
    return out


def _check_import(
    shown: str, line: int, module: str, names: list[str], local: set[str]
) -> list[Finding]:
    top = module.split(".")[0]
    if top != "crewkit":
        if top in local or top in sys.stdlib_module_names or _importable(top):
            return []
        return [
            Finding(shown, line, DEPENDENCY, f"module {top!r} is not installed (pip install it)")
        ]
    if not _importable(module):
        return [Finding(shown, line, MISSING, f"crewkit has no module {module!r}")]
    loaded = importlib.import_module(module)
    return [
        Finding(shown, line, MISSING, f"{module} has no {name!r}")
        for name in names
        if name != "*" and not hasattr(loaded, name) and not _importable(f"{module}.{name}")
    ]


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _setting(shown: str, line: int, owner: str, key: str) -> Finding:
    from crewkit._compat import CREWAI_ONLY

    reason = CREWAI_ONLY.get(owner, {}).get(key)
    if reason is not None:
        return Finding(shown, line, IGNORED, f"{owner}({key}=...): {reason}")
    return Finding(shown, line, MISSING, f"{owner}() has no setting {key!r}")


def _scan_yaml(shown: str, file: Path, accepted: dict[str, set[str]]) -> list[Finding]:
    from crewkit._config._source import read_yaml

    problems: list[Any] = []
    source = read_yaml(file, problems)
    if problems:
        return [Finding(shown, p.line or 1, MISSING, p.message) for p in problems]
    if not isinstance(source.data, dict):
        return []
    owner = "Agent" if file.name == "agents.yaml" else "Task"
    out: list[Finding] = []
    for name, entry in source.data.items():
        if not isinstance(entry, dict):
            continue
        for key in entry:
            if key not in accepted[owner]:
                finding = _setting(shown, source.line_of((name, key)) or 1, owner, str(key))
                if finding.kind == MISSING:  # CrewAI ignores unknown YAML keys; so does crewkit
                    finding = dataclasses.replace(
                        finding, kind=IGNORED, message=f"{name}.{key}: not a setting; ignored"
                    )
                out.append(finding)
    return out
