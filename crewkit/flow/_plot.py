"""Pictures of a flow: Mermaid flowchart text, and an HTML page that renders it.

Starts are rounded, routers diamonds; a solid arrow means "when this step finishes", a dotted one
"when the router returns this label"; ``and``/``or`` mark steps that wait for several things.
"""

from __future__ import annotations

import html as _html

from crewkit.flow._graph import FlowGraph, Step

MERMAID_URL = "https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.esm.min.mjs"
"""Loaded by the browser when the page is opened; crewkit itself downloads nothing."""


def mermaid(graph: FlowGraph) -> str:
    """Mermaid ``flowchart`` text for the flow."""
    lines = ["flowchart TD", f"  %% flow {graph.name}"]
    for step in graph.steps.values():
        lines.append(f"  {_node(step)}")
    routers = [s for s in graph.steps.values() if s.is_router]
    for step in graph.steps.values():
        if step.trigger is None:
            continue
        names = list(dict.fromkeys(step.trigger.names()))
        joint = f" ({step.trigger.kind})" if len(names) > 1 else ""
        for event in names:
            if event in graph.steps:
                source = graph.steps[event]
                if joint:
                    lines.append(f"  {_id(source)} -- {joint.strip(' ()')} --> {_id(step)}")
                else:
                    lines.append(f"  {_id(source)} --> {_id(step)}")
                continue
            emitters = [r for r in routers if event in r.labels] or [
                r for r in routers if r.open_labels
            ]
            for router in emitters:
                lines.append(f'  {_id(router)} -. "{_text(event + joint)}" .-> {_id(step)}')
    lines.append("  classDef start fill:#e8f5e9,stroke:#2e7d32")
    lines.append("  classDef router fill:#fff8e1,stroke:#f9a825")
    return "\n".join(lines) + "\n"


def _id(step: Step) -> str:
    return f"s_{step.name}"  # a prefix keeps Mermaid keywords such as "end" usable as step names


def _node(step: Step) -> str:
    label = _text(step.name)
    if step.is_router:
        shape = f'{{"{label}"}}'
    elif step.is_start:
        shape = f'(["{label}"])'
    else:
        shape = f'["{label}"]'
    css = ":::start" if step.is_start else ":::router" if step.is_router else ""
    return f"{_id(step)}{shape}{css}"


def _text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", " ")


def html(graph: FlowGraph) -> str:
    """A standalone page that renders the flow; the Mermaid text stays readable without network."""
    text = _html.escape(mermaid(graph))
    title = _html.escape(graph.name)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} — crewkit flow</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
pre.source {{ background: #f6f8fa; padding: 1rem; overflow: auto; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Rounded: starts. Diamonds: routers. Solid arrow: runs when that step finishes.
Dotted arrow: runs when the router returns that label.</p>
<pre class="mermaid">
{text}</pre>
<details><summary>Mermaid source</summary><pre class="source">{text}</pre></details>
<script type="module">
import mermaid from "{MERMAID_URL}";
mermaid.initialize({{ startOnLoad: true, securityLevel: "strict" }});
</script>
</body>
</html>
"""
