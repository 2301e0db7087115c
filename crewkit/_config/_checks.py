"""Checks across a whole crew file: context references (cycles, later tasks) and placeholders."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from crewkit._config._source import Section, format_path
from crewkit._inputs import placeholders


def context_problems(defs: Mapping[Any, Any], section: Section, keys: list[str]) -> None:
    """Report context cycles, and context naming a later task (a task only sees earlier outputs)."""
    graph: dict[str, list[str]] = {}
    for key, definition in defs.items():
        refs = definition.get("context") if isinstance(definition, dict) else None
        graph[str(key)] = [r for r in refs if r in keys] if isinstance(refs, list) else []
    in_cycle: set[tuple[str, str]] = set()
    for cycle in _cycles(graph, keys):
        in_cycle |= set(itertools.pairwise(cycle))
        section.source.problem(
            (*section.path, cycle[0], "context"),
            f"context cycle: {' → '.join(cycle)}",
            "a task can only use the outputs of tasks that finish before it",
        )
    position = {k: i for i, k in enumerate(keys)}
    for key, refs in graph.items():
        for index, ref in enumerate(refs):
            if position[ref] > position[key] and (key, ref) not in in_cycle:
                section.source.problem(
                    (*section.path, key, "context", index),
                    f"context names {ref!r}, which comes later in the file",
                    f"tasks run in file order: move {ref!r} above {key!r}",
                )


def _cycles(graph: dict[str, list[str]], order: list[str]) -> list[list[str]]:
    """Each elementary cycle found by depth-first search, reported once, starting at its earliest task."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    start = min(range(len(cycle)), key=lambda i: order.index(cycle[i]))
                    rotated = cycle[start:] + cycle[:start]
                    found.append([*rotated, rotated[0]])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in order:
        if node not in state:
            visit(node)
    return found


def missing_placeholders(
    sections: Sequence[tuple[Section, Mapping[Any, Any], tuple[str, ...]]], given: Mapping[str, Any]
) -> None:
    """Report each ``{name}`` used in agent and task texts that has no value in ``given``: one problem
    per name, at its first use, listing every other place it appears."""
    uses: dict[str, list[tuple[Section, tuple[Any, ...]]]] = {}
    for section, defs, fields in sections:
        for key, definition in defs.items():
            if not isinstance(definition, dict):
                continue
            for field in fields:
                text = definition.get(field)
                if isinstance(text, str):
                    for name in placeholders(text):
                        if name not in given:
                            uses.setdefault(name, []).append((section, (*section.path, key, field)))
    for name, places in uses.items():
        section, path = places[0]
        others = [format_path(p) for _, p in places[1:]]
        also = f"; also used in {', '.join(others)}" if others else ""
        hint = (
            "pass --input TEXT"
            if name == "input"
            else f"pass --inputs {name}=... or give a default under inputs:"
        )
        section.source.problem(path, f"placeholder {{{name}}} has no value{also}", hint)
