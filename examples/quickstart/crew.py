"""The README's quick start: a two-agent crew with one tool, runnable on the mock model.

python examples/quickstart/crew.py            # deterministic mock model
CREWKIT_MODEL=openai/gpt-4o-mini python examples/quickstart/crew.py
"""

from __future__ import annotations

import os

from crewkit import Agent, Crew, Task, tool


@tool
def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


def build_crew(model: str | None = None) -> Crew:
    """The quick-start crew: a researcher who can count words, and a writer."""
    researcher = Agent(
        role="Researcher",
        goal="Collect the key facts about {topic}",
        backstory="You check every claim.",
        tools=[word_count],
    )
    writer = Agent(
        role="Writer", goal="Explain {topic} simply", backstory="You write for newcomers."
    )
    research = Task("List three facts about {topic}.", "Three bullet points", agent=researcher)
    article = Task("Write a short paragraph about {topic}.", "One paragraph", agent=writer)
    return Crew(agents=[researcher, writer], tasks=[research, article], llm=model)


if __name__ == "__main__":
    output = build_crew(os.environ.get("CREWKIT_MODEL", "mock")).kickoff(inputs={"topic": "tea"})
    print(output.raw)
    print(
        f"\n{output.token_usage.total_tokens} tokens in {output.token_usage.requests} model calls"
    )
