"""The crew that turns meeting notes into action items."""

from __future__ import annotations

from crewkit import Agent, Crew, Task

from .types import MeetingTaskList


class MeetingAssistantCrew:
    """One analyst reads the notes and lists who does what."""

    def crew(self) -> Crew:
        analyst = Agent(
            role="Meeting analyst",
            goal="Turn meeting notes into clear, assignable action items",
            backstory="Has taken minutes for engineering teams for years and misses nothing.",
        )
        extract = Task(
            description="Read these meeting notes and list every action item:\n{transcript}",
            expected_output="Each action item with a short name and a one-sentence description.",
            agent=analyst,
            output_pydantic=MeetingTaskList,
        )
        return Crew(agents=[analyst], tasks=[extract], name="meeting-assistant")
