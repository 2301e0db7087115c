"""The book's parts."""

from __future__ import annotations

from pydantic import BaseModel


class ChapterOutline(BaseModel):
    """What one chapter will cover."""

    title: str
    description: str


class BookOutline(BaseModel):
    """The chapters, in order."""

    chapters: list[ChapterOutline]


class Chapter(BaseModel):
    """A written chapter."""

    title: str
    content: str
