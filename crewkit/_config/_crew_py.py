"""What a CrewAI project's crew.py says about its YAML, read without running it: which agent does
each task (CrewAI projects often assign agents in Python, ``Task(config=..., agent=self.writer())``)
and the crew class's name. Only the syntax tree is read; nothing of the project is imported."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CrewPy:
    """Facts found in the crew.py beside a ``config/`` folder."""

    file: Path | None = None
    """The file they come from; ``None`` when there is none."""
    name: str | None = None
    """The ``@CrewBase`` class's name."""
    agents: dict[str, str] = field(default_factory=dict)
    """Task key (in tasks.yaml) → agent key (in agents.yaml)."""


def read_crew_py(agents_yaml: Path) -> CrewPy:
    """The crew.py next to the ``config/`` folder holding ``agents_yaml`` (any ``.py`` file there
    with a ``@CrewBase`` class); an empty record when there is none or it does not parse."""
    folder = agents_yaml.resolve().parent
    if folder.name == "config":
        folder = folder.parent
    for candidate in sorted(folder.glob("*.py")):
        try:
            text = candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "CrewBase" not in text:
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and _decorated(node, "CrewBase"):
                return CrewPy(candidate, node.name, _assignments(node))
    return CrewPy()


def _decorated(node: ast.ClassDef | ast.FunctionDef, name: str) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (isinstance(target, ast.Name) and target.id == name) or (
            isinstance(target, ast.Attribute) and target.attr == name
        ):
            return True
    return False


def _assignments(cls: ast.ClassDef) -> dict[str, str]:
    methods = [n for n in cls.body if isinstance(n, ast.FunctionDef)]
    agent_keys = {
        m.name: _config_key(m, "agents_config") or m.name for m in methods if _decorated(m, "agent")
    }
    found: dict[str, str] = {}
    for method in methods:
        if not _decorated(method, "task"):
            continue
        key = _config_key(method, "tasks_config") or method.name
        agent_method = _agent_argument(method)
        if agent_method in agent_keys:
            found[key] = agent_keys[agent_method]
    return found


def _config_key(method: ast.FunctionDef, attribute: str) -> str | None:
    """``X`` in ``self.<attribute>['X']`` inside the method."""
    for node in ast.walk(method):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == attribute
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            return node.slice.value
    return None


def _agent_argument(method: ast.FunctionDef) -> str | None:
    """``y`` in ``Task(..., agent=self.y())`` inside the method."""
    for node in ast.walk(method):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if (
                keyword.arg == "agent"
                and isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and isinstance(value.func.value, ast.Name)
                and value.func.value.id == "self"
            ):
                return value.func.attr
    return None
