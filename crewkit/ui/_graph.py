"""The crew's graph on a run's page: the journaled definition read into a :class:`CrewShape`, laid
out as SVG boxes and paths (drawn by the template), with the Mermaid text to copy elsewhere.

Drawn on the server, with no script library: the page stays a plain document and loads nothing from
anywhere. Agents stand in the left column, tasks in order in the right one, the manager above the
agents; context edges bend out to the right of the tasks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crewkit._crew_graph import AgentShape, CrewShape, TaskShape, layout, mermaid

__all__ = ["Drawing", "draw", "mermaid", "shape_of"]

BOX_W, BOX_H, GAP = 230, 44, 18
AGENT_X, TASK_X, TOP = 10, 330, 10
LABEL_CHARS = 30


@dataclass(frozen=True)
class Box:
    """A node drawn: its place, its shape kind, its label cut to fit and its whole label."""

    id: str
    x: float
    y: float
    shape: str
    text: str
    title: str


@dataclass(frozen=True)
class Path:
    """An edge drawn: SVG path data, whether dotted, and its label at (lx, ly)."""

    d: str
    dotted: bool
    label: str
    lx: float
    ly: float


@dataclass(frozen=True)
class Drawing:
    """Everything the template needs."""

    width: float
    height: float
    boxes: list[Box]
    paths: list[Path]


def shape_of(definition: Mapping[str, Any], crew: str) -> CrewShape:
    """The drawing's view of a journaled definition (missing parts draw as nothing, never fail)."""
    agents_raw = _list(definition.get("agents"))
    roles = [str(a.get("role", f"agent {i + 1}")) for i, a in enumerate(agents_raw)]
    agents = [
        AgentShape(role, tuple(str(t.get("name", "?")) for t in _list(a.get("tools"))))
        for role, a in zip(roles, agents_raw, strict=False)
    ]
    tasks = []
    for index, task in enumerate(_list(definition.get("tasks"))):
        agent = task.get("agent")
        context = task.get("context")
        tasks.append(
            TaskShape(
                str(
                    task.get("name") or _first_line(task.get("description")) or f"task {index + 1}"
                ),
                roles.index(agent) if isinstance(agent, str) and agent in roles else None,
                None if not isinstance(context, list) else tuple(int(c) for c in context),
            )
        )
    process = str(definition.get("process", "sequential"))
    manager = None
    if process == "hierarchical":
        found = definition.get("manager")
        if isinstance(found, Mapping):
            found = found.get("role") or found.get("model")
        manager = f"manager: {found}" if found else "manager"
    return CrewShape(crew, process, agents, tasks, manager)


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _first_line(text: Any) -> str:
    return str(text or "").strip().splitlines()[0][:60] if str(text or "").strip() else ""


def draw(crew: CrewShape) -> Drawing:
    """Boxes and paths for ``crew``."""
    nodes, edges = layout(crew)
    boxes: dict[str, Box] = {}
    row = {"agent": 0, "task": 0}
    agent_top = TOP + (BOX_H + GAP if crew.manager is not None else 0)
    for node in nodes:
        if node.shape == "manager":
            x, y = AGENT_X, TOP
        elif node.shape == "agent":
            x, y = AGENT_X, agent_top + row["agent"] * (BOX_H + GAP)
            row["agent"] += 1
        else:
            x, y = TASK_X, TOP + row["task"] * (BOX_H + GAP)
            row["task"] += 1
        first = node.label.splitlines()[0] if node.label else ""
        text = first if len(first) <= LABEL_CHARS else first[: LABEL_CHARS - 1] + "…"
        boxes[node.id] = Box(node.id, x, y, node.shape, text, node.label)
    paths = [_path(boxes[e.source], boxes[e.target], e.label, e.style == "dotted", i) for i, e in
             enumerate(edges) if e.source in boxes and e.target in boxes]  # fmt: skip
    bottom = max((b.y + BOX_H for b in boxes.values()), default=TOP)
    context_depth = sum(1 for e in edges if e.label == "context")
    width = TASK_X + BOX_W + 40 + min(context_depth, 12) * 14
    return Drawing(width=width, height=bottom + TOP, boxes=list(boxes.values()), paths=paths)


def _path(a: Box, b: Box, label: str, dotted: bool, index: int) -> Path:
    if a.shape == "task" and b.shape == "task":
        # context: out of the right side of one task and into the right side of a later one
        x0, y0 = a.x + BOX_W, a.y + BOX_H / 2
        x1, y1 = b.x + BOX_W, b.y + BOX_H / 2
        bulge = x0 + 24 + (index % 12) * 14
        d = f"M{x0:.0f},{y0:.0f} C{bulge:.0f},{y0:.0f} {bulge:.0f},{y1:.0f} {x1:.0f},{y1:.0f}"
        return Path(d, dotted, "", bulge, (y0 + y1) / 2)
    if a.shape == "manager" and b.shape == "agent":
        x0, y0 = a.x + 16, a.y + BOX_H
        x1, y1 = b.x + 16, b.y
        return Path(f"M{x0:.0f},{y0:.0f} L{x1:.0f},{y1:.0f}", dotted, "", x0, y0)
    x0, y0 = a.x + BOX_W, a.y + BOX_H / 2
    x1, y1 = b.x, b.y + BOX_H / 2
    mid = (x0 + x1) / 2
    d = f"M{x0:.0f},{y0:.0f} C{mid:.0f},{y0:.0f} {mid:.0f},{y1:.0f} {x1:.0f},{y1:.0f}"
    return Path(d, dotted, label, mid, (y0 + y1) / 2 - 4)
