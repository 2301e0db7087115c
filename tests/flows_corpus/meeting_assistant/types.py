"""What the crew extracts from the notes."""

from __future__ import annotations

from pydantic import BaseModel


class MeetingTask(BaseModel):
    """One action item."""

    name: str
    description: str


class MeetingTaskList(BaseModel):
    """Every action item of the meeting."""

    tasks: list[MeetingTask]
