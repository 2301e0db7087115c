"""A crew drawn as a graph — agents, tasks, who does what, context edges, the manager — from a plain
:class:`CrewShape`, so the CLI (from a live ``Crew``) and the UI (from a journaled definition) draw
the same picture. Text formats: Mermaid and Graphviz DOT; the UI adds SVG on top of :func:`layout`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AgentShape:
    """An agent as drawn: its role and the names of its tools."""

    role: str
    tools: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskShape:
    """A task as drawn: its label, the index of its agent (``None``: the manager picks), and the
    indexes of its context tasks (``None``: every earlier task, the default)."""

    label: str
    agent: int | None = None
    context: tuple[int, ...] | None = None


@dataclass(frozen=True)
class CrewShape:
    """What a drawing needs of a crew; ``manager`` is the manager's label for a hierarchical crew."""

    name: str
    process: str
    agents: Sequence[AgentShape]
    tasks: Sequence[TaskShape]
    manager: str | None = None


@dataclass(frozen=True)
class Node:
    """One box: ``shape`` is "agent", "task" or "manager"."""

    id: str
    label: str
    shape: str


@dataclass(frozen=True)
class Edge:
    """One arrow: ``style`` is "solid" (declared) or "dotted" (implied or preferred)."""

    source: str
    target: str
    label: str
    style: str


def layout(crew: CrewShape) -> tuple[list[Node], list[Edge]]:
    """The boxes and arrows of ``crew``, agents first, then the manager, then tasks in order."""
    nodes: list[Node] = []
    edges: list[Edge] = []
    for index, agent in enumerate(crew.agents):
        tools = ", ".join(agent.tools)
        nodes.append(
            Node(f"agent{index}", agent.role + (f"\ntools: {tools}" if tools else ""), "agent")
        )
    if crew.manager is not None:
        nodes.append(Node("manager", crew.manager, "manager"))
        edges.extend(
            Edge("manager", f"agent{i}", "delegates", "dotted") for i in range(len(crew.agents))
        )
    for index, task in enumerate(crew.tasks):
        tid = f"task{index}"
        nodes.append(Node(tid, task.label or f"task {index + 1}", "task"))
        if crew.manager is not None:
            edges.append(Edge("manager", tid, "runs", "solid"))
        if task.agent is not None and 0 <= task.agent < len(crew.agents):
            label = "preferred" if crew.manager is not None else "performs"
            edges.append(Edge(f"agent{task.agent}", tid, label, "dotted"))
        if task.context is None:
            sources, style = tuple(range(index)), "dotted"
        else:
            sources, style = task.context, "solid"
        edges.extend(
            Edge(f"task{dep}", tid, "context", style)
            for dep in sources
            if 0 <= dep < len(crew.tasks)
        )
    return nodes, edges


def mermaid(crew: CrewShape) -> str:
    """Mermaid flowchart text; paste it into any Mermaid viewer or a Markdown ``mermaid`` block."""
    nodes, edges = layout(crew)
    lines = ["flowchart TD", f"  %% crew {crew.name!r}, process {crew.process}"]
    shapes = {"agent": ('(["', '"])'), "task": ('["', '"]'), "manager": ('{{"', '"}}')}
    for node in nodes:
        left, right = shapes[node.shape]
        lines.append(f"  {node.id}{left}{_mermaid_text(node.label)}{right}")
    for edge in edges:
        arrow = f"-. {edge.label} .->" if edge.style == "dotted" else f"-- {edge.label} -->"
        lines.append(f"  {edge.source} {arrow} {edge.target}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def dot(crew: CrewShape) -> str:
    """Graphviz DOT text (``dot -Tpng`` renders it)."""
    nodes, edges = layout(crew)
    shapes = {"agent": "ellipse", "task": "box", "manager": "hexagon"}
    lines = [
        f"digraph {_dot_text(crew.name)} {{",
        "  rankdir=TB;",
        '  node [fontname="Helvetica"];',
    ]
    for node in nodes:
        lines.append(f"  {node.id} [label={_dot_text(node.label)}, shape={shapes[node.shape]}];")
    for edge in edges:
        style = ", style=dashed" if edge.style == "dotted" else ""
        lines.append(f"  {edge.source} -> {edge.target} [label={_dot_text(edge.label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
