"""``crewkit graph``: a crew drawn as Mermaid (default) or Graphviz DOT — agents, tasks, who does
what, context edges and the manager of a hierarchical crew."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crewkit._cli._common import OK, UsageError, check_output_path, load, write_out
from crewkit._crew_graph import AgentShape, CrewShape, TaskShape, dot, mermaid
from crewkit.crew import Crew, Process
from crewkit.errors import CrewkitError


def shape(crew: Crew) -> CrewShape:
    """What the drawing needs of a live crew."""
    agent_index = {id(a): i for i, a in enumerate(crew.agents)}
    task_index = {id(t): i for i, t in enumerate(crew.tasks)}
    agents = [AgentShape(a.role, tuple(t.name for t in a.tools)) for a in crew.agents]
    tasks = [
        TaskShape(
            task.name or f"task {index + 1}",
            agent_index.get(id(task.agent)) if task.agent is not None else None,
            None if task.context is None else tuple(task_index[id(dep)] for dep in task.context),
        )
        for index, task in enumerate(crew.tasks)
    ]
    return CrewShape(crew.name, Process(crew.process).value, agents, tasks, _manager_label(crew))


def _manager_label(crew: Crew) -> str | None:
    if crew.process is not Process.hierarchical:
        return None
    agent = getattr(crew, "manager_agent", None)
    if agent is not None:
        return f"manager: {agent.role}"
    llm = getattr(crew, "manager_llm", None)
    name = getattr(llm, "label", llm)
    return f"manager ({name})" if name else "manager"


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
        done = subprocess.run([program, "-Tpng", "-o", str(target)], input=dot(shape(crew)),
                              text=True, capture_output=True, check=False)  # fmt: skip
        if done.returncode != 0:
            raise CrewkitError(f"dot failed: {done.stderr.strip()}")
        sys.stderr.write(f"wrote {target}\n")
        return OK
    drawing = shape(crew)
    text = mermaid(drawing) if args.format == "mermaid" else dot(drawing)
    return write_out(text, args.output)
