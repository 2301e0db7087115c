"""The outline crew and the chapter-writing crew."""

from __future__ import annotations

from crewkit import Agent, Crew, Task

from .types import BookOutline, Chapter


class OutlineCrew:
    """A researcher and an editor plan the chapters."""

    def crew(self) -> Crew:
        researcher = Agent(
            role="Research librarian",
            goal="Gather what a reader must know about {topic}",
            backstory="Knows where the good sources are and which claims hold up.",
        )
        editor = Agent(
            role="Book editor",
            goal="Shape the material into chapters that build on each other",
            backstory="Has edited a dozen popular-science books.",
        )
        research = Task(
            description="Collect the main themes and facts about {topic}. The book's aim: {goal}",
            expected_output="The themes, each with its key facts.",
            agent=researcher,
        )
        outline = Task(
            description="Plan the chapters of a short book on {topic} from the research.",
            expected_output="Each chapter's title and a two-sentence description.",
            agent=editor,
            output_pydantic=BookOutline,
        )
        return Crew(agents=[researcher, editor], tasks=[research, outline], name="outline")


class WriteBookChapterCrew:
    """A writer drafts one chapter, knowing the whole outline."""

    def crew(self) -> Crew:
        writer = Agent(
            role="Science writer",
            goal="Write clear, vivid chapters about {topic}",
            backstory="Turns dense research into prose people finish.",
        )
        write = Task(
            description=(
                "Write the chapter '{chapter_title}': {chapter_description}\n"
                "The book's aim: {goal}\nThe whole outline: {book_outline}"
            ),
            expected_output="The chapter's title and its text in Markdown.",
            agent=writer,
            output_pydantic=Chapter,
        )
        return Crew(agents=[writer], tasks=[write], name="write-chapter")
