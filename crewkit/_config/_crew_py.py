"""What a CrewAI project's Python says about its YAML, read without running it: which agent does
each task (CrewAI projects often assign agents in Python: ``Task(config=self.tasks_config["x"],
agent=self.writer())`` in crew.py, or ``Task(..., agent=writer)`` with ``writer =
Agent(config=agents_config["writer"])`` in a script) and the crew class's name. Only syntax trees
of the ``.py`` files beside the ``config/`` folder are read; nothing of the project is imported."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

MAX_SOURCE_BYTES = 1_000_000
"""Larger files are not read (no CrewAI crew file comes near this)."""


@dataclass
class CrewPy:
    """Facts found in the Python files beside a ``config/`` folder."""

    name: str | None = None
    """The ``@CrewBase`` class's name, when there is exactly one such class."""
    agents: dict[str, str] = field(default_factory=dict)
    """Task key (in tasks.yaml) → agent key (in agents.yaml)."""


def read_crew_py(agents_yaml: Path) -> CrewPy:
    """What the ``.py`` files next to the ``config/`` folder holding ``agents_yaml`` assign; an
    empty record when there are none or they do not parse."""
    folder = agents_yaml.resolve().parent
    if folder.name == "config":
        folder = folder.parent
    found = CrewPy()
    classes: list[str] = []
    for candidate in sorted(folder.glob("*.py")):
        tree = _parse(candidate)
        if tree is None:
            continue
        classes += [
            n.name for n in tree.body if isinstance(n, ast.ClassDef) and _decorated(n, "CrewBase")
        ]
        for key, agent in _assignments(tree).items():
            found.agents.setdefault(key, agent)
    found.name = classes[0] if len(classes) == 1 else None
    return found


def _parse(file: Path) -> ast.Module | None:
    try:
        if file.stat().st_size > MAX_SOURCE_BYTES:
            return None
        text = file.read_text(encoding="utf-8")
        if "agents_config" not in text or "Task" not in text:
            return None
        return ast.parse(text)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def _decorated(node: ast.ClassDef | ast.FunctionDef, name: str) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (isinstance(target, ast.Name) and target.id == name) or (
            isinstance(target, ast.Attribute) and target.attr == name
        ):
            return True
    return False


def _assignments(tree: ast.Module) -> dict[str, str]:
    methods: dict[str, str] = {}  # @agent method → agent key
    variables: dict[str, str] = {}  # variable holding Agent(config=...) → agent key
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and _decorated(node, "agent"):
            methods[node.name] = _config_key(node, "agents_config") or node.name
        elif isinstance(node, ast.Assign) and _calls(node.value, "Agent"):
            key = _config_key(node.value, "agents_config")
            for target in node.targets:
                if isinstance(target, ast.Name) and key is not None:
                    variables[target.id] = key
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _calls(node, "Task")):
            continue
        key = _config_key(node, "tasks_config")
        agent = next((k.value for k in node.keywords if k.arg == "agent"), None)
        if key is None or agent is None:
            continue
        if isinstance(agent, ast.Call) and isinstance(agent.func, ast.Attribute):
            name = methods.get(agent.func.attr)
        elif isinstance(agent, ast.Name):
            name = variables.get(agent.id)
        else:
            name = None
        if name is not None:
            found.setdefault(key, name)
    return found


def _calls(node: ast.AST, name: str) -> bool:
    if not isinstance(node, ast.Call):
        return False
    target = node.func
    return (isinstance(target, ast.Name) and target.id == name) or (
        isinstance(target, ast.Attribute) and target.attr == name
    )


def _config_key(node: ast.AST, attribute: str) -> str | None:
    """``X`` in ``<...>.<attribute>["X"]`` or ``<attribute>["X"]`` inside ``node``."""
    for inner in ast.walk(node):
        if not (isinstance(inner, ast.Subscript) and isinstance(inner.slice, ast.Constant)):
            continue
        holder = inner.value
        named = (isinstance(holder, ast.Attribute) and holder.attr == attribute) or (
            isinstance(holder, ast.Name) and holder.id == attribute
        )
        if named and isinstance(inner.slice.value, str):
            return inner.slice.value
    return None
