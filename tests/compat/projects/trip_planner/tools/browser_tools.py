from crewai import Agent, Task
from crewai.tools import tool


@tool("Summarize a website")
def summarize_website(website: str) -> str:
    """Read a website and summarize what it says."""
    page = f"{website}: opening hours 9-17, tickets 12 EUR, guided tours on Saturdays."
    reader = Agent(
        role="Principal Researcher",
        goal="Do amazing research and summaries from the content you are given",
        backstory="You are a principal researcher at a big company.",
        allow_delegation=False,
    )
    summary = Task(
        description=f"Summarize this content in two sentences:\n\n{page}",
        expected_output="A two-sentence summary.",
        agent=reader,
    ).execute()
    return f"Summary of {website}: {summary}"
