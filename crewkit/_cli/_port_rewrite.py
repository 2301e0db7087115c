"""Rewriting a CrewAI project's imports to crewkit's, line by line, keeping everything else as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

MODULES = {
    "crewai": "crewkit",
    "crewai.project": "crewkit.project",
    "crewai.flow": "crewkit.flow",
    "crewai.flow.flow": "crewkit.flow",
    "crewai.tools": "crewkit.tools",
    "crewai.tools.base_tool": "crewkit.tools",
    "crewai.tools.structured_tool": "crewkit.tools",
    "crewai.llm": "crewkit",
    "crewai.agent": "crewkit",
    "crewai.task": "crewkit",
    "crewai.crew": "crewkit",
    "crewai.process": "crewkit",
    "crewai.crews.crew_output": "crewkit",
    "crewai.tasks.task_output": "crewkit",
    "crewai.agents.agent_builder.base_agent": "crewkit",
    "crewai_tools": "crewkit.tools",
}
"""Where each CrewAI module's names live in crewkit; other ``crewai.x`` modules map to ``crewkit.x``
(which usually does not exist: the port report then names the import)."""
PREFIXES = {"crewai_tools": "crewkit.tools", "crewai.knowledge": "crewkit.knowledge"}
"""Packages whose submodules' names all live in one crewkit module."""
NAMES = {"BaseAgent": "Agent"}
"""CrewAI names whose crewkit counterpart has another name; the import keeps the old one as alias."""

_FROM = re.compile(
    r"^(?P<indent>\s*)from\s+(?P<module>crewai(?:_tools)?(?:\.[\w.]+)?)\s+import\s+(?P<names>.*)$"
)
_IMPORT = re.compile(
    r"^(?P<indent>\s*)import\s+(?P<module>crewai(?:_tools)?(?:\.[\w.]+)?)(?:\s+as\s+(?P<alias>\w+))?\s*(?P<comment>#.*)?$"
)


@dataclass(frozen=True)
class Change:
    """One rewritten import."""

    line: int
    """1-based line of the import's first line."""
    old: str
    """The import as it was (all its lines)."""
    new: str
    """The import as rewritten."""


def target_module(module: str) -> str:
    """The crewkit module a CrewAI module's names are imported from."""
    if module in MODULES:
        return MODULES[module]
    for prefix, target in PREFIXES.items():
        if module.startswith(prefix + "."):
            return target
    return "crewkit" + module[len("crewai") :]


def rewrite(text: str) -> tuple[str, list[Change]]:
    """``text`` with its CrewAI imports rewritten, and the list of changes."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    changes: list[Change] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        start = i
        match = _FROM.match(line.rstrip("\r\n"))
        if match:
            block = match["names"]
            while "(" in block and ")" not in block and i + 1 < len(lines):
                i += 1
                block += "\n" + lines[i].rstrip("\r\n")
            names = _renamed(block)
            new = f"{match['indent']}from {target_module(match['module'])} import {names}"
        else:
            match = _IMPORT.match(line.rstrip("\r\n"))
            if not match:
                out.append(line)
                i += 1
                continue
            module = match["module"]
            comment = f"  {match['comment']}" if match["comment"] else ""
            target = target_module(module)
            if match["alias"] or "." not in module:
                alias = match["alias"] or module
                new = f"{match['indent']}import {target} as {alias}{comment}"
            else:  # `import crewai.tools` binds `crewai`: bind it to crewkit, with the submodule loaded
                new = f"{match['indent']}import {target}; import crewkit as crewai{comment}"
        old = "".join(lines[start : i + 1])
        ending = "\n" if old.endswith("\n") else ""
        out.append(new + ending)
        changes.append(Change(start + 1, old.rstrip("\r\n"), new))
        i += 1
    return "".join(out), changes


def _renamed(names: str) -> str:
    for old, new in NAMES.items():
        names = re.sub(rf"(?<![\w.]){old}\b(?!\s+as\b)", f"{new} as {old}", names)
    return names
