"""``crewkit graph``: a crew drawn as Mermaid (default) or Graphviz DOT — agents, tasks, who does
what, context edges and the manager of a hierarchical crew."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from crewkit._cli._common import OK, UsageError, check_output_path, load
from crewkit.crew import Crew, Process
from crewkit.errors import CrewkitError


@dataclass(frozen=True)
class _Node:
    id: str
    label: str
    shape: str  # "agent", "task" or "manager"


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    label: str
    style: str  # "solid" or "dotted"


def _layout(crew: Crew) -> tuple[list[_Node], list[_Edge]]:
    nodes: list[_Node] = []
    edges: list[_Edge] = []
    agent_ids = {id(a): f"agent{i}" for i, a in enumerate(crew.agents)}
    for agent in crew.agents:
        tools = ", ".join(t.name for t in agent.tools)
        label = agent.role + (f"\ntools: {tools}" if tools else "")
        nodes.append(_Node(agent_ids[id(agent)], label, "agent"))
    manager = _manager_label(crew)
    if manager is not None:
        nodes.append(_Node("manager", manager, "manager"))
        for agent in crew.agents:
            edges.append(_Edge("manager", agent_ids[id(agent)], "delegates", "dotted"))
    task_ids = {id(t): f"task{i}" for i, t in enumerate(crew.tasks)}
    for index, task in enumerate(crew.tasks):
        tid = task_ids[id(task)]
        nodes.append(_Node(tid, task.name or f"task {index + 1}", "task"))
        if manager is not None:
            edges.append(_Edge("manager", tid, "runs", "solid"))
        if task.agent is not None and id(task.agent) in agent_ids:
            label = "preferred" if manager is not None else "performs"
            edges.append(_Edge(agent_ids[id(task.agent)], tid, label, "dotted"))
        if task.context is None:
            sources, style = crew.tasks[:index], "dotted"
        else:
            sources, style = list(task.context), "solid"
        for dep in sources:
            edges.append(_Edge(task_ids[id(dep)], tid, "context", style))
    return nodes, edges


def _manager_label(crew: Crew) -> str | None:
    if crew.process is not Process.hierarchical:
        return None
    agent = getattr(crew, "manager_agent", None)
    if agent is not None:
        return f"manager: {agent.role}"
    llm = getattr(crew, "manager_llm", None)
    name = getattr(llm, "label", llm)
    return f"manager ({name})" if name else "manager"


def mermaid(crew: Crew) -> str:
    """Mermaid flowchart text; paste it into any Mermaid viewer or a Markdown ``mermaid`` block."""
    nodes, edges = _layout(crew)
    lines = ["flowchart TD", f"  %% crew {crew.name!r}, process {Process(crew.process).value}"]
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


def dot(crew: Crew) -> str:
    """Graphviz DOT text (``dot -Tpng`` renders it)."""
    nodes, edges = _layout(crew)
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


def run_graph(args: argparse.Namespace) -> int:
    """Print (or write) the drawing; ``png`` goes through Graphviz's ``dot`` program."""
    import shutil
    import subprocess

    check_output_path("-o", args.output)
    crew = load(args, inputs=None, require_model=False)
    if args.format == "png":
        program = shutil.which("dot")
        if program is None:
            raise UsageError(
                "--format png needs Graphviz's 'dot' program, which is not on PATH; install Graphviz "
                "(e.g. apt install graphviz), or use the default Mermaid output with any Mermaid viewer"
            )
        target = Path(args.output or f"{crew.name}.png")
        done = subprocess.run([program, "-Tpng", "-o", str(target)], input=dot(crew),
                              text=True, capture_output=True, check=False)  # fmt: skip
        if done.returncode != 0:
            raise CrewkitError(f"dot failed: {done.stderr.strip()}")
        sys.stderr.write(f"wrote {target}\n")
        return OK
    text = mermaid(crew) if args.format == "mermaid" else dot(crew)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        sys.stderr.write(f"wrote {args.output}\n")
    else:
        sys.stdout.write(text)
    return OK
