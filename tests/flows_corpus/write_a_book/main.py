"""Outline a book, write its chapters at once, join them into one Markdown file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import BaseModel

from crewkit.flow import Flow, listen, start

from .crews import OutlineCrew, WriteBookChapterCrew
from .types import Chapter, ChapterOutline


class BookState(BaseModel):
    id: str = "1"
    title: str = "Harbours Without Pilots"
    book: list[Chapter] = []
    book_outline: list[ChapterOutline] = []
    topic: str = "How autonomous ships are changing ports and the people who work in them"
    goal: str = (
        "Give a curious reader an honest picture of autonomous shipping today: what works, what "
        "does not yet, and what it means for dock workers, pilots and coastal towns."
    )


class BookFlow(Flow[BookState]):
    initial_state = BookState

    @start()
    def generate_book_outline(self) -> list[ChapterOutline]:
        output = (
            OutlineCrew()
            .crew()
            .kickoff(inputs={"topic": self.state.topic, "goal": self.state.goal})
        )
        chapters: list[ChapterOutline] = output.pydantic.chapters
        self.state.book_outline = chapters
        return chapters

    @listen(generate_book_outline)
    async def write_chapters(self) -> None:
        async def write_single_chapter(outline: ChapterOutline) -> Chapter:
            output = (
                WriteBookChapterCrew()
                .crew()
                .kickoff(
                    inputs={
                        "goal": self.state.goal,
                        "topic": self.state.topic,
                        "chapter_title": outline.title,
                        "chapter_description": outline.description,
                        "book_outline": [c.model_dump_json() for c in self.state.book_outline],
                    }
                )
            )
            return Chapter(title=output.pydantic.title, content=output.pydantic.content)

        chapters = await asyncio.gather(*(write_single_chapter(c) for c in self.state.book_outline))
        self.state.book.extend(chapters)

    @listen(write_chapters)
    async def join_and_save_chapter(self) -> str:
        book = "".join(f"# {c.title}\n\n{c.content}\n\n" for c in self.state.book)
        Path(f"{self.state.title.replace(' ', '_')}.md").write_text(book, encoding="utf-8")
        return book


def kickoff() -> object:
    """Run the flow."""
    return BookFlow().kickoff()


def plot() -> str:
    """Draw the flow."""
    return BookFlow().plot()


if __name__ == "__main__":
    kickoff()
