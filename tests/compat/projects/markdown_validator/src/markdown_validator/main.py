import sys

from crewai import Agent, Crew, Process, Task

from markdown_validator.chain_objects import MarkdownLintTool, OfflineChatModel

default_llm = OfflineChatModel(temperature=0)


def process_markdown_document(filename):
    """Review the markdown file with a requirements manager agent."""
    manager = Agent(
        role="Requirements Manager",
        goal="Give specific, actionable feedback on markdown documents",
        backstory="You keep the team's documents readable and consistent.",
        allow_delegation=False,
        verbose=True,
        tools=[MarkdownLintTool()],
        llm=default_llm,
    )
    review = Task(
        description=f"Check the markdown file {filename} with the validation tool and explain how to fix each problem.",
        expected_output="A list of problems with the fix for each.",
        agent=manager,
    )
    crew = Crew(agents=[manager], tasks=[review], process=Process.sequential)
    return crew.kickoff()


def run():
    filename = sys.argv[1] if len(sys.argv) > 1 else "README.md"
    print(process_markdown_document(filename))


if __name__ == "__main__":
    run()
