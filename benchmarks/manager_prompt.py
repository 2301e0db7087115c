"""Characters the manager of a 2-worker hierarchical crew receives on its first call: the system
message, the first user message and the tool specs as JSON (what a provider is sent).

    python benchmarks/manager_prompt.py

For reference, CrewAI 1.15 sends its manager 3,451 characters for the same crew. Also prints what
the ``coworker`` enum adds to the tool specs.
"""

from __future__ import annotations

import json

from crewkit import Agent, Crew, Process, Task, tool
from crewkit.llm import ModelRequest, ToolSpec
from crewkit.testing import ScriptedLLM

CREWAI_CHARS = 3451


@tool
def search(query: str) -> str:
    """Search the web for a query."""
    return query


def first_manager_request() -> ModelRequest:
    researcher = Agent(
        role="Researcher",
        goal="Find accurate, current facts about the topic",
        backstory="You are a meticulous researcher who checks every source.",
        tools=[search],
    )
    writer = Agent(
        role="Writer",
        goal="Write clear, engaging articles",
        backstory="You are a writer who explains complex topics simply.",
    )
    task = Task(
        description="Write a short article about the benefits of green tea.",
        expected_output="A 3-paragraph article",
    )
    manager = ScriptedLLM(["The article."])
    crew = Crew(
        agents=[researcher, writer],
        tasks=[task],
        process=Process.hierarchical,
        manager_llm=manager,
        llm=ScriptedLLM([]),
    )
    crew.kickoff()
    return manager.requests[0]


def spec_json(specs: tuple[ToolSpec, ...], *, enum: bool = True) -> str:
    out = []
    for s in specs:
        params = json.loads(json.dumps(dict(s.parameters)))
        if not enum:
            params["properties"]["coworker"].pop("enum", None)
        out.append({"name": s.name, "description": s.description, "parameters": params})
    return json.dumps(out)


def main() -> None:
    request = first_manager_request()
    system, user = request.messages[0].content, request.messages[1].content
    tools = spec_json(request.tools)
    total = len(system) + len(user) + len(tools)
    without_enum = len(tools) - len(spec_json(request.tools, enum=False))
    print(f"system message:      {len(system):5d} chars")
    print(f"first user message:  {len(user):5d} chars")
    print(f"tool specs (JSON):   {len(tools):5d} chars ({without_enum} of them the coworker enums)")
    print(
        f"total:               {total:5d} chars ({total / CREWAI_CHARS:.0%} of CrewAI's {CREWAI_CHARS})"
    )


if __name__ == "__main__":
    main()
